import { ResourceBusyError } from '../domain/domain-error';
import { type BatchOutcome, HotRowBatcher } from './hot-row-batcher';

interface Command {
  n: number;
  key?: string;
}

/** A batcher whose transactions are recorded and finish when the test says so. */
function recording(options: { maxBatch: number; fail?: (batch: Command[]) => Error | undefined }) {
  const batches: Command[][] = [];
  const finish: Array<() => void> = [];
  const batcher = new HotRowBatcher<Command, number>(
    async (_row, commands) => {
      batches.push(commands);
      await new Promise<void>((resolve) => finish.push(resolve));
      const error = options.fail?.(commands);
      if (error) throw error;
      return commands.map((c): BatchOutcome<number> =>
        c.n < 0 ? { error: new Error(`refused ${c.n}`) } : { ok: c.n * 10 },
      );
    },
    { maxBatch: options.maxBatch, conflictKey: (c) => c.key },
  );
  const release = async () => {
    while (finish.length === 0) await new Promise((r) => setImmediate(r));
    finish.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { batcher, batches, release };
}

describe('HotRowBatcher', () => {
  it('sends a lone request at once, and those that arrive meanwhile as the next batch, in arrival order', async () => {
    const { batcher, batches, release } = recording({ maxBatch: 10 });
    const first = batcher.submit('row', { n: 1 });
    expect(batches).toEqual([[{ n: 1 }]]);
    const rest = [2, 3, 4].map((n) => batcher.submit('row', { n }));
    await release();
    expect(batches[1]).toEqual([{ n: 2 }, { n: 3 }, { n: 4 }]);
    await release();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
  });

  it('gives each request its own outcome: one refusal does not fail the others', async () => {
    const { batcher, release } = recording({ maxBatch: 10 });
    const blocker = batcher.submit('row', { n: 0 });
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
    for (let i = 0; i < 4; i++) await release();
    await Promise.all(all);
    expect(batches).toEqual([[{ n: 1 }], [{ n: 9 }], [{ n: 2, key: 'k' }, { n: 4 }], [{ n: 3, key: 'k' }]]);
  });

  it('decides each request alone when a batch fails for one of them, but refuses all when the row is busy', async () => {
    const broken = recording({
      maxBatch: 10,
      fail: (batch) =>
        batch.length > 1 && batch.some((c) => c.n === 13) ? new Error('constraint') : undefined,
    });
    const blocker = broken.batcher.submit('row', { n: 0 });
    const results = Promise.allSettled([12, 13].map((n) => broken.batcher.submit('row', { n })));
    for (let i = 0; i < 4; i++) await broken.release();
    await blocker;
    expect((await results).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(broken.batches.map((b) => b.length)).toEqual([1, 2, 1, 1]);

    const busy = recording({ maxBatch: 10, fail: () => new ResourceBusyError() });
    const refused = Promise.allSettled([1, 2, 3].map((n) => busy.batcher.submit('row', { n })));
    for (let i = 0; i < 2; i++) await busy.release();
    expect((await refused).every((r) => r.status === 'rejected')).toBe(true);
    expect(busy.batches.map((b) => b.length)).toEqual([1, 2]);
  });
});
