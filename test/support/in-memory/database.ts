import type { EntityManager } from 'typeorm';
import { PG } from '../../../src/shared/database/postgres-errors';
import { TestClock } from '../test-clock';

/**
 * The rows behind the in-memory fakes of the repository ports: one map of rows per table, read and
 * written through transactions that commit or roll back as a whole.
 *
 * Transactions run one at a time (the next waits for the one ahead to end), as if each locked the
 * whole database: strictly serial, so that no fake needs row locks of its own and a batch decided in
 * a transaction sees exactly what the one before committed. So a unit of work started from inside
 * another, and awaited by it, would wait for ever, as two transactions waiting on each other's locks
 * would; no use case does that. Each transaction works on its own copy of the tables and commits by
 * making that copy the committed state; one that throws leaves the committed state as it was, which
 * is what a rollback does. A read without a transaction handle sees the committed state only, as a
 * read on another connection would. A lock another session holds is simulated with
 * `holdLockElsewhere`.
 *
 * Rows are cloned on the way in and out, so that a service changing an object it was given changes
 * nothing stored, as with rows read from PostgreSQL.
 */
export class InMemoryDatabase {
  private committed = new Map<string, Map<string, unknown>>();
  private current: InMemoryTransaction | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly heldElsewhere = new Set<string>();
  /** Transactions committed and rolled back so far. */
  readonly counts = { commits: 0, rollbacks: 0 };
  /** The clock of the services over this database (CLOCK), at which seeded rows are made too. */
  readonly clock = new TestClock();

  /** Runs `work` in a transaction of its own once every transaction ahead of it has ended. */
  transaction<T>(work: (tx: InMemoryTransaction) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      const tx = new InMemoryTransaction(
        new Map([...this.committed].map(([name, rows]) => [name, new Map(rows)])),
      );
      this.current = tx;
      try {
        const result = await work(tx);
        this.committed = tx.tables;
        this.counts.commits++;
        return result;
      } catch (error) {
        this.counts.rollbacks++;
        throw error;
      } finally {
        tx.open = false;
        this.current = null;
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * A table as `tx` sees it (its own writes included), or as committed when there is no `tx`. A
   * handle whose transaction has ended is refused, as TypeORM refuses a released query runner.
   */
  table<R extends object>(name: string, tx?: EntityManager): Table<R> {
    if (tx === undefined) return new Table<R>(name, this.rowsOf(this.committed, name), false);
    if (!(tx instanceof InMemoryTransaction) || tx !== this.current || !tx.open) {
      throw new Error(`in-memory ${name}: a transaction handle used outside its unit of work`);
    }
    return new Table<R>(name, this.rowsOf(tx.tables, name), true);
  }

  /** A write outside any transaction (autocommit): a transaction of one statement. */
  autocommit<T>(work: (tx: EntityManager) => T | Promise<T>): Promise<T> {
    return this.transaction(async (tx) => work(tx.manager));
  }

  /** Rows written as committed, outside any transaction: what a test fixture's INSERT is. */
  seed<R extends object>(name: string, id: string, row: R): R {
    if (this.current) throw new Error(`in-memory ${name}: seeded while a transaction is open`);
    this.rowsOf(this.committed, name).set(id, structuredClone(row));
    return structuredClone(row);
  }

  /**
   * Takes the lock of a row for another session until the returned function is called: a lock
   * asked for meanwhile fails as a lock wait that ran out (SQLSTATE 55P03), and SKIP LOCKED reads
   * pass the row by.
   */
  holdLockElsewhere(name: string, id: string): () => void {
    const key = `${name}:${id}`;
    this.heldElsewhere.add(key);
    return () => this.heldElsewhere.delete(key);
  }

  /** Asks for a row's lock in `tx`; throws the lock-timeout error when another session holds it. */
  lock(name: string, id: string, tx: EntityManager): void {
    this.table(name, tx);
    if (this.isLockedElsewhere(name, id)) throw lockNotAvailable(name);
  }

  isLockedElsewhere(name: string, id: string): boolean {
    return this.heldElsewhere.has(`${name}:${id}`);
  }

  private rowsOf(tables: Map<string, Map<string, unknown>>, name: string): Map<string, unknown> {
    let rows = tables.get(name);
    if (!rows) {
      rows = new Map();
      tables.set(name, rows);
    }
    return rows;
  }
}

/**
 * The handle a unit of work passes to the work in place of an EntityManager. `queryRunner` is what
 * afterCommit() registers callbacks under.
 */
export class InMemoryTransaction {
  readonly queryRunner = {};
  open = true;

  constructor(readonly tables: Map<string, Map<string, unknown>>) {}

  get manager(): EntityManager {
    return this as unknown as EntityManager;
  }
}

/** The rows of one table as one transaction (or the committed state) sees them. */
export class Table<R extends object> {
  constructor(
    private readonly name: string,
    private readonly rows: Map<string, unknown>,
    private readonly writable: boolean,
  ) {}

  get(id: string): R | null {
    const row = this.rows.get(id);
    return row === undefined ? null : (structuredClone(row) as R);
  }

  values(): R[] {
    return [...this.rows.values()].map((row) => structuredClone(row) as R);
  }

  find(predicate: (row: R) => boolean): R | null {
    return this.values().find(predicate) ?? null;
  }

  filter(predicate: (row: R) => boolean): R[] {
    return this.values().filter(predicate);
  }

  /** A new row; a second row under one id breaks the primary key, as in PostgreSQL. */
  insert(id: string, row: R): void {
    if (this.rows.has(id)) throw uniqueViolation(`${this.name}_pkey`);
    this.put(id, row);
  }

  put(id: string, row: R): void {
    if (!this.writable) throw new Error(`in-memory ${this.name}: a write outside a transaction`);
    this.rows.set(id, structuredClone(row));
  }

  /** Changes an existing row; false (nothing written) when there is none, as an UPDATE of no row. */
  update(id: string, change: (row: R) => R): boolean {
    const row = this.get(id);
    if (!row) return false;
    this.put(id, change(row));
    return true;
  }
}

/** The error node-postgres gives for a broken unique constraint, as pgCode()/pgConstraint() read it. */
export function uniqueViolation(constraint: string): Error {
  return Object.assign(new Error(`duplicate key value violates unique constraint "${constraint}"`), {
    code: PG.uniqueViolation,
    constraint,
  });
}

export function checkViolation(constraint: string): Error {
  return Object.assign(new Error(`new row violates check constraint "${constraint}"`), {
    code: PG.checkViolation,
    constraint,
  });
}

export function foreignKeyViolation(constraint: string): Error {
  return Object.assign(new Error(`insert or update violates foreign key constraint "${constraint}"`), {
    code: PG.foreignKeyViolation,
    constraint,
  });
}

export function lockNotAvailable(name: string): Error {
  return Object.assign(new Error(`canceling statement due to lock timeout (${name})`), {
    code: PG.lockNotAvailable,
  });
}

/** Newest first by (createdAt, id), strictly after the cursor, at most `rows`: what newestFirst() asks SQL for. */
export function newestFirstPage<R extends { id: string; createdAt: Date }>(
  rows: R[],
  limit: number,
  after?: { createdAt: Date; id: string },
  createdAt: (row: R) => number = (row) => row.createdAt.getTime(),
): R[] {
  const key = (row: R): [number, string] => [createdAt(row), row.id];
  const before = (a: [number, string], b: [number, string]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  return rows
    .filter((row) => !after || before(key(row), [after.createdAt.getTime(), after.id]))
    .sort((a, b) => (before(key(a), key(b)) ? 1 : before(key(b), key(a)) ? -1 : 0))
    .slice(0, limit);
}
