import type { DomainError } from '../domain/domain-error';
import { answerWith, currentIdempotentCall, type IdempotentCall, runIdempotent } from './idempotent-call';

const call = (key: string): IdempotentCall => ({
  scope: 'account',
  key,
  fingerprint: 'f',
  status: 201,
  problem: (error: DomainError) => ({ status: 409, body: { code: error.code } }),
  redact: (body) => body,
});

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the current idempotent call', () => {
  it('stays each handler’s own while others start and finish around it, and is gone after the last', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const a = call('a');
    const seenByA: Array<string | undefined> = [];
    const first = runIdempotent(a, () =>
      answerWith(
        (r: string) => r,
        async () => {
          seenByA.push(currentIdempotentCall()?.key);
          await gate;
          await tick();
          seenByA.push(currentIdempotentCall()?.key);
          return 'a';
        },
      ),
    );
    // B starts after A and finishes while A waits: A's call must outlive it.
    const second = runIdempotent(call('b'), () =>
      answerWith(
        (r: string) => r,
        async () => {
          await tick();
          return currentIdempotentCall()?.key ?? 'none';
        },
      ),
    );
    expect(await second).toBe('b');
    release();
    expect(await first).toBe('a');
    expect(seenByA).toEqual(['a', 'a']);

    // After the last call, none is current; the next one is current again within its handler.
    expect(currentIdempotentCall()).toBeUndefined();
    await tick();
    expect(currentIdempotentCall()).toBeUndefined();
    const third = await runIdempotent(call('c'), () =>
      answerWith(
        (r: string) => r,
        async () => {
          await tick();
          return currentIdempotentCall()?.key ?? 'none';
        },
      ),
    );
    expect(third).toBe('c');
  });

  it('does not leak a failed call into what runs after it', async () => {
    await expect(
      runIdempotent(call('x'), () =>
        answerWith(
          () => 'never',
          async () => {
            await tick();
            throw new Error('boom');
          },
        ),
      ),
    ).rejects.toThrow('boom');
    await tick();
    expect(currentIdempotentCall()).toBeUndefined();
  });
});
