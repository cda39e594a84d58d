import { serviceKey } from '../../src/modules/wallet/domain/wallet';
import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { WalletLedgerFacade } from '../../src/modules/wallet/application/wallet-ledger.facade';
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
});
