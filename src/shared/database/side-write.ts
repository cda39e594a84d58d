import type { EntityManager, QueryRunner } from 'typeorm';

/**
 * A data-modifying statement that rides along, as one more WITH item, in another module's write
 * statement, so that both cost one round trip: the answers of Idempotency-Key requests, the events
 * of a change. It must touch tables the host statement does not (the items of one WITH run on one
 * snapshot, in no set order).
 *
 * Its parameters are bound by name: `sql` refers to them as `$name` (`unnest($keys::varchar[])`),
 * and they are numbered only when the statement is composed, after the host's own.
 */
export interface SideWrite {
  /** The WITH item's name (`idempotency_answers`); a second item of the same name gets a suffix. */
  name: string;
  /** The WITH item's body: one INSERT, UPDATE or DELETE. */
  sql: string;
  params: Readonly<Record<string, unknown>>;
}

/** Side-writes queued on the transactions under way, by their connection. */
const queued = new WeakMap<QueryRunner, SideWrite[]>();

/**
 * Queues `write` in `em`'s unit of work: the next host statement of the transaction carries it
 * (`withSideWrites`), or else the unit of work runs it on its own just before it commits. Either
 * way it commits or rolls back with the transaction.
 */
export function rideAlong(em: EntityManager, write: SideWrite): void {
  const writes = em.queryRunner && queued.get(em.queryRunner);
  if (!writes) throw new Error('rideAlong needs the EntityManager of a running unit of work');
  writes.push(write);
}

/**
 * The host statement `sql` (which must begin with `WITH`; its parameters `$1`…`$n` are `params`)
 * with every side-write queued on `em`'s transaction added as WITH items; the queue is emptied.
 */
export function withSideWrites(
  em: EntityManager,
  sql: string,
  params: readonly unknown[],
): { sql: string; params: unknown[] } {
  const writes = (em.queryRunner && queued.get(em.queryRunner)) || [];
  if (writes.length === 0) return { sql, params: [...params] };
  if (!/^\s*WITH\s/i.test(sql)) throw new Error('a statement that carries side-writes begins with WITH');
  const composed = compose(writes.splice(0), params.length);
  const end = endOfWithList(sql);
  return {
    sql: `${sql.slice(0, end)},\n${composed.items}${sql.slice(end)}`,
    params: [...params, ...composed.params],
  };
}

/** Where the WITH list of `sql` ends: just after the closing parenthesis of its last item. */
function endOfWithList(sql: string): number {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (quoted) {
      if (c === "'") quoted = false;
    } else if (c === "'") quoted = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0 && !/^\s*,/.test(sql.slice(i + 1))) return i + 1;
  }
  throw new Error('a statement that carries side-writes has a WITH list');
}

/** Runs the side-writes no host statement carried, in one statement; called by the unit of work. */
export async function flushSideWrites(em: EntityManager): Promise<void> {
  const writes = (em.queryRunner && queued.get(em.queryRunner)) || [];
  if (writes.length === 0) return;
  const composed = compose(writes.splice(0), 0);
  await em.query(`WITH ${composed.items} SELECT 1`, composed.params);
}

/** Collects the side-writes queued with `runner` while `work` runs. */
export async function collectingSideWrites<T>(runner: QueryRunner, work: () => Promise<T>): Promise<T> {
  queued.set(runner, []);
  try {
    return await work();
  } finally {
    queued.delete(runner);
  }
}

function compose(writes: readonly SideWrite[], hostParams: number): { items: string; params: unknown[] } {
  const params: unknown[] = [];
  const names = new Map<string, number>();
  const items = writes.map((write) => {
    const seen = names.get(write.name) ?? 0;
    names.set(write.name, seen + 1);
    const numbers = new Map<string, number>();
    const body = write.sql.replace(/\$([a-z_][a-z0-9_]*)/gi, (_match, name: string) => {
      if (!(name in write.params)) throw new Error(`side-write ${write.name} has no parameter ${name}`);
      let n = numbers.get(name);
      if (n === undefined) {
        params.push(write.params[name]);
        n = hostParams + params.length;
        numbers.set(name, n);
      }
      return `$${n}`;
    });
    return `${seen === 0 ? write.name : `${write.name}_${seen + 1}`} AS (${body})`;
  });
  return { items: items.join(',\n'), params };
}
