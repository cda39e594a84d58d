import { ResourceBusyError } from '../domain/domain-error';
import { type BatchOutcome, HotRowBatcher } from './hot-row-batcher';

interface Command {
  n: number;
  key?: string;
}

const tick = () => new Promise((r) => setImmediate(r));

/**
 * A batcher whose transactions are recorded and finish when the test says so. Each takes its
 * requests and then locks the row, unless `lockWhen` holds it back until `unlock()`.
 */
function recording(options: {
  maxBatch: number;
  maxInFlight?: number;
  fail?: (batch: Command[]) => Error | undefined;
  holdLock?: boolean;
}) {
  const batches: Command[][] = [];
  const finish: Array<() => void> = [];
  const unlock: Array<() => void> = [];
  const batcher = new HotRowBatcher<Command, number>(
    async (_row, batch) => {
      const commands = await batch.take();
      if (options.holdLock) await new Promise<void>((resolve) => unlock.push(resolve));
      batch.locked();
      batches.push(commands);
      await new Promise<void>((resolve) => finish.push(resolve));
      const error = options.fail?.(commands);
      if (error) throw error;
      return commands.map((c): BatchOutcome<number> =>
        c.n < 0 ? { error: new Error(`refused ${c.n}`) } : { ok: c.n * 10 },
      );
    },
    { maxBatch: options.maxBatch, conflictKey: (c) => c.key, maxInFlight: options.maxInFlight ?? 1 },
  );
  const release = async () => {
    while (finish.length === 0) await tick();
    finish.shift()?.();
    await tick();
  };
  return { batcher, batches, release, unlock, finish };
}

describe('HotRowBatcher', () => {
  it('sends a lone request at once, and those that arrive meanwhile as the next batch, in arrival order', async () => {
    const { batcher, batches, release } = recording({ maxBatch: 10 });
    const first = batcher.submit('row', { n: 1 });
    await tick();
    expect(batches).toEqual([[{ n: 1 }]]);
    const rest = [2, 3, 4].map((n) => batcher.submit('row', { n }));
    await release();
    expect(batches[1]).toEqual([{ n: 2 }, { n: 3 }, { n: 4 }]);
    await release();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
  });

  it('with two in flight, the next batch forms once the one ahead holds the row, and a third waits for a slot', async () => {
    const { batcher, batches, release, unlock, finish } = recording({
      maxBatch: 10,
      maxInFlight: 2,
      holdLock: true,
    });
    const first = batcher.submit('row', { n: 1 });
    await tick();
    const second = [2, 3].map((n) => batcher.submit('row', { n }));
    await tick();
    // The first has taken its request but not locked the row: the second batch has begun, not formed.
    expect(unlock).toHaveLength(1);
    const late = batcher.submit('row', { n: 4 });
    unlock.shift()?.();
    await tick();
    // Formed only now, with every request that arrived until the first held the row.
    expect(unlock).toHaveLength(1);
    expect(batches).toEqual([[{ n: 1 }]]);
    const third = batcher.submit('row', { n: 5 });
    unlock.shift()?.();
    await tick();
    expect(batches).toEqual([[{ n: 1 }], [{ n: 2 }, { n: 3 }, { n: 4 }]]);
    // Two in flight: the fifth request waits for one of them to end.
    expect(finish).toHaveLength(2);
    expect(unlock).toHaveLength(0);
    await release();
    while (unlock.length === 0) await tick();
    unlock.shift()?.();
    await tick();
    expect(batches[2]).toEqual([{ n: 5 }]);
    await release();
    await release();
    expect(await first).toBe(10);
    expect(await Promise.all([...second, late, third])).toEqual([20, 30, 40, 50]);
  });

  it('gives each request its own outcome: one refusal does not fail the others', async () => {
    const { batcher, release } = recording({ maxBatch: 10 });
    const blocker = batcher.submit('row', { n: 0 });
    await tick();
    const results = Promise.allSettled([5, -1, 6].map((n) => batcher.submit('row', { n })));
    await release();
    await release();
    await blocker;
    expect((await results).map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('bounds batches, keeps rows apart and never puts two requests with one conflict key in a batch', async () => {
    const { batcher, batches, release } = recording({ maxBatch: 2 });
    const all = [
      batcher.submit('row', { n: 1 }),
      batcher.submit('other', { n: 9 }),
      batcher.submit('row', { n: 2, key: 'k' }),
      batcher.submit('row', { n: 3, key: 'k' }),
      batcher.submit('row', { n: 4 }),
    ];
    for (let i = 0; i < 3; i++) await release();
    await Promise.all(all);
    expect(batches).toEqual([[{ n: 1 }, { n: 2, key: 'k' }], [{ n: 9 }], [{ n: 3, key: 'k' }, { n: 4 }]]);
  });

  it('decides each request alone when a batch fails for one of them, but refuses all when the row is busy', async () => {
    const broken = recording({
      maxBatch: 10,
      fail: (batch) =>
        batch.length > 1 && batch.some((c) => c.n === 13) ? new Error('constraint') : undefined,
    });
    const blocker = broken.batcher.submit('row', { n: 0 });
    await tick();
    const results = Promise.allSettled([12, 13].map((n) => broken.batcher.submit('row', { n })));
    for (let i = 0; i < 4; i++) await broken.release();
    await blocker;
    expect((await results).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(broken.batches.map((b) => b.length)).toEqual([1, 2, 1, 1]);

    const busy = recording({ maxBatch: 10, fail: () => new ResourceBusyError() });
    const first = busy.batcher.submit('row', { n: 1 });
    await tick();
    const refused = Promise.allSettled([first, ...[2, 3].map((n) => busy.batcher.submit('row', { n }))]);
    for (let i = 0; i < 2; i++) await busy.release();
    expect((await refused).every((r) => r.status === 'rejected')).toBe(true);
    expect(busy.batches.map((b) => b.length)).toEqual([1, 2]);
  });

  it('hands a failure before the requests were taken to every waiting request', async () => {
    const down = new Error('connect ECONNREFUSED');
    const batcher = new HotRowBatcher<Command, number>(() => Promise.reject(down), { maxBatch: 10 });
    const results = await Promise.allSettled([1, 2].map((n) => batcher.submit('row', { n })));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
