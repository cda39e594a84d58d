import { PerTurn } from './per-turn';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('PerTurn', () => {
  it('sends one command for the calls of one key in one turn, each with its own place; other keys apart', async () => {
    const sent: Array<[string, number]> = [];
    const counter = new PerTurn<number>(async (key, asks) => {
      sent.push([key, asks]);
      return 10 + asks;
    });
    const shares = await Promise.all([
      counter.ask('a'),
      counter.ask('a'),
      counter.ask('b'),
      counter.ask('a'),
    ]);
    expect(sent).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
    expect(shares).toEqual([
      { value: 13, place: 1, asks: 3 },
      { value: 13, place: 2, asks: 3 },
      { value: 11, place: 1, asks: 1 },
      { value: 13, place: 3, asks: 3 },
    ]);
  });

  it('sends after the turn in which the calls were asked, and a call asked once it is sent waits for the next', async () => {
    const sent: number[] = [];
    let answer = 0;
    const lookups = new PerTurn<number>(async (_key, asks) => {
      sent.push(asks);
      return ++answer;
    });
    const first = lookups.value('k');
    expect(sent).toEqual([]);
    await turn();
    expect(sent).toEqual([1]);
    const second = lookups.value('k');
    expect(await first).toBe(1);
    expect(await second).toBe(2);
    expect(sent).toEqual([1, 1]);
  });

  it('gives every caller of the turn the command’s failure', async () => {
    const failing = new PerTurn<number>(() => Promise.reject(new Error('down')));
    const results = await Promise.allSettled([failing.ask('k'), failing.ask('k')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
