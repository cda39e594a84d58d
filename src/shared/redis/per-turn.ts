/** What one caller gets: the shared answer, and its place among the callers that share it. */
export interface TurnShare<V> {
  value: V;
  /** 1 for the first caller of the turn, up to `asks`. */
  place: number;
  /** How many callers shared the command. */
  asks: number;
}

/**
 * One Redis command per key per turn of the event loop. The calls for one key asked in one turn
 * share one command, sent once the turn's I/O callbacks have run (`setImmediate`), so after the last
 * of them was asked: each answer is still read after its own request began, as exact as a command
 * of its own, and a call asked once the command is sent waits for the next one, never for an answer
 * read before it began. `send` is told how many callers share it (a counter adds them all at once,
 * each caller then takes its own place). Under a storm of requests for one key this is one command
 * per turn instead of one per request.
 */
export class PerTurn<V> {
  private readonly asked = new Map<string, { asks: number; answer: Promise<V> }>();

  constructor(private readonly send: (key: string, asks: number) => Promise<V>) {}

  ask(key: string): Promise<TurnShare<V>> {
    let turn = this.asked.get(key);
    if (!turn) {
      const opened = { asks: 0, answer: Promise.resolve() as Promise<V> };
      opened.answer = new Promise<V>((resolve, reject) => {
        setImmediate(() => {
          this.asked.delete(key);
          this.send(key, opened.asks).then(resolve, reject);
        });
      });
      this.asked.set(key, opened);
      turn = opened;
    }
    const place = ++turn.asks;
    const shared = turn;
    return shared.answer.then((value) => ({ value, place, asks: shared.asks }));
  }

  /** The shared answer alone, for a lookup. */
  async value(key: string): Promise<V> {
    return (await this.ask(key)).value;
  }
}
