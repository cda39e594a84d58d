import { serviceKey } from '../../src/modules/wallet/domain/wallet';
import { randomUUID } from 'crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { WalletLedgerFacade } from '../../src/modules/wallet/application/wallet-ledger.facade';
import type { WalletRepository } from '../../src/modules/wallet/domain/wallet.repository';
import { LOCK_WITH_ENTRIES } from '../../src/modules/wallet/infrastructure/typeorm-wallet.repository';
import { WALLET_REPOSITORY } from '../../src/modules/wallet/wallet.tokens';
import {
  CurrencyMismatchError,
  InsufficientFundsError,
  LedgerKeyReusedError,
  WalletBusyError,
} from '../../src/modules/wallet/domain/wallet.errors';
import { NotFoundError } from '../../src/shared/domain/domain-error';
import { UnitOfWork } from '../../src/shared/database/unit-of-work';
import { createTestApp, type TestApp } from '../support/test-app';
import { customerWithWallet } from '../support/wallet-fixtures';

describe('WalletLedgerFacade inside a caller unit of work (integration)', () => {
  let t: TestApp;
  let ledger: WalletLedgerFacade;
  let uow: UnitOfWork;

  beforeAll(async () => {
    t = await createTestApp({ config: { LOCK_TIMEOUT_MS: 200 } });
    ledger = t.app.get(WalletLedgerFacade);
    uow = t.app.get(UnitOfWork);
  });
  afterAll(() => t.close());

  it("debits with a reference and rolls back with the caller's transaction", async () => {
    const { walletId } = await customerWithWallet(t, 1000);
    const orderId = randomUUID();
    const entry = await uow.run((em) =>
      ledger.debit(em, {
        walletId,
        amount: 250n,
        reference: { type: 'order', id: orderId },
        description: 'Order',
        idempotencyKey: serviceKey(`order:${orderId}`),
        expectedCurrency: 'USD',
      }),
    );
    expect(entry).toMatchObject({
      type: 'debit',
      amount: 250n,
      balanceBefore: 1000n,
      balanceAfter: 750n,
      reference: { type: 'order', id: orderId },
      replayed: false,
    });
    expect(await ledger.findTransaction(entry.id)).toMatchObject({ id: entry.id, amount: 250n });

    await expect(
      uow.run(async (em) => {
        await ledger.debit(em, { walletId, amount: 100n, reference: { type: 'order', id: randomUUID() } });
        throw new Error('the order could not be marked paid');
      }),
    ).rejects.toThrow('the order could not be marked paid');
    expect(await ledger.getBalance(walletId)).toBe(750n);
  });

  it('the same idempotency key records one entry; another movement under it is refused', async () => {
    const { walletId } = await customerWithWallet(t, 1000);
    const bookingId = randomUUID();
    const command = {
      walletId,
      amount: 300n,
      reference: { type: 'booking', id: bookingId },
      idempotencyKey: serviceKey(`booking:${bookingId}`),
    };
    const first = await uow.run((em) => ledger.debit(em, command));
    const second = await uow.run((em) => ledger.debit(em, command));
    expect(second).toEqual({ ...first, replayed: true });
    await expect(uow.run((em) => ledger.debit(em, { ...command, amount: 301n }))).rejects.toBeInstanceOf(
      LedgerKeyReusedError,
    );
    await expect(uow.run((em) => ledger.credit(em, command))).rejects.toBeInstanceOf(LedgerKeyReusedError);
    expect(await ledger.getBalance(walletId)).toBe(700n);
  });

  it('checks owner and currency, and refuses to overdraw', async () => {
    const { walletId, customer } = await customerWithWallet(t, 100);
    await expect(
      uow.run((em) => ledger.debit(em, { walletId, amount: 1n, expectedAccountId: randomUUID() })),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      uow.run((em) => ledger.debit(em, { walletId, amount: 1n, expectedCurrency: 'EUR' })),
    ).rejects.toBeInstanceOf(CurrencyMismatchError);
    await expect(
      uow.run((em) => ledger.debit(em, { walletId, amount: 101n, expectedAccountId: customer.id })),
    ).rejects.toBeInstanceOf(InsufficientFundsError);
    await expect(
      uow.run((em) => ledger.debit(em, { walletId: randomUUID(), amount: 1n })),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await ledger.findWallet(walletId)).toMatchObject({ balance: 100n, accountId: customer.id });
  });

  it('a lock held longer than LOCK_TIMEOUT_MS is 503 wallet_busy with Retry-After', async () => {
    const { walletId, customer } = await customerWithWallet(t, 100);
    const ds = t.app.get(DataSource);
    const runner = ds.createQueryRunner();
    await runner.startTransaction();
    try {
      await runner.query('SELECT 1 FROM wallets WHERE id = $1 FOR UPDATE', [walletId]);
      await expect(
        uow.run((em) => ledger.debit(em, { walletId, amount: 1n }), {
          lockTimeoutMs: 100,
          onLockTimeout: () => new WalletBusyError(),
        }),
      ).rejects.toBeInstanceOf(WalletBusyError);
      const res = await t
        .http()
        .post(`/api/wallets/${walletId}/debit`)
        .set('Authorization', `Bearer ${customer.key}`)
        .set('Idempotency-Key', 'busy-1')
        .send({ amount: 1 })
        .expect(503);
      expect(res.body.code).toBe('wallet_busy');
      expect(res.headers['retry-after']).toBe('1');
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    // The 503 released the key: the same request now runs.
    await t
      .http()
      .post(`/api/wallets/${walletId}/debit`)
      .set('Authorization', `Bearer ${customer.key}`)
      .set('Idempotency-Key', 'busy-1')
      .send({ amount: 1 })
      .expect(201);
    expect(await ledger.getBalance(walletId)).toBe(99n);
  });

  it("the locked keyed read looks each key up, never reading the wallet's other entries, even when the planner believes a wallet has one entry", async () => {
    const { walletId, customer } = await customerWithWallet(t, 3000);
    const ds = t.app.get(DataSource);
    // 3,000 debits of 1 under keys of the customer, and one of them asked for again among eleven new keys.
    await ds.query(
      `INSERT INTO wallet_transactions
         (id, wallet_id, type, amount, balance_before, balance_after, key_scope, idempotency_key)
       SELECT gen_random_uuid(), $1, 'debit', 1, 3001 - i, 3000 - i, $2, 'bulk-' || i
         FROM generate_series(1, 3000) AS i`,
      [walletId, customer.id],
    );
    const keys = ['bulk-1500', ...Array.from({ length: 11 }, () => randomUUID())];
    // As with one hot wallet among many quiet ones: a wallet's entries estimated at one row.
    await ds.query(`ALTER TABLE wallet_transactions ALTER COLUMN wallet_id SET (n_distinct = -1)`);
    await ds.query(`ANALYZE wallet_transactions`);
    try {
      const [{ 'QUERY PLAN': plan }] = await ds.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${LOCK_WITH_ENTRIES}`, [
        walletId,
        keys.map(() => customer.id),
        keys,
      ]);
      // The nodes over wallet_transactions: index lookups, one per key, each of at most one row
      // (EXPLAIN gives rows per loop, rounded), never a read of the wallet's 3,000 entries.
      const reads: PlanNode[] = [];
      const walk = (node: PlanNode) => {
        if (node['Relation Name'] === 'wallet_transactions') reads.push(node);
        for (const child of node.Plans ?? []) walk(child);
      };
      walk(plan[0].Plan);
      expect(reads.map((n) => [n['Index Name'], n['Actual Loops']])).toEqual([
        ['wallet_transactions_wallet_key_key', keys.length],
      ]);
      expect(reads[0]['Actual Rows']).toBeLessThanOrEqual(1);

      const found = await uow.run((em) =>
        t.app.get<WalletRepository<EntityManager>>(WALLET_REPOSITORY).lockWithEntries(
          em,
          walletId,
          keys.map((key) => ({ scope: customer.id, key })),
        ),
      );
      expect(found?.entries.map((e) => [e.idempotencyKey?.key, e.balanceAfter])).toEqual([
        ['bulk-1500', 1500n],
      ]);
    } finally {
      await ds.query(`ALTER TABLE wallet_transactions ALTER COLUMN wallet_id RESET (n_distinct)`);
      await ds.query(`ANALYZE wallet_transactions`);
    }
  });
});

interface PlanNode {
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}
