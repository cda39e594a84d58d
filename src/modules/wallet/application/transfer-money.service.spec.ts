import { admin, customer } from '../../../../test/support/in-memory/fixtures';
import { inMemoryModule } from '../../../../test/support/in-memory/testing-module';
import { seedWallet } from '../../../../test/support/in-memory/wallet';
import type { DomainError } from '../../../shared/domain/domain-error';
import { MAX_BALANCE } from '../domain/wallet';
import { type TransferCommand, TransferMoneyService } from './transfer-money.service';
import { WalletLedgerFacade } from './wallet-ledger.facade';

const alice = customer('Alice');
const bob = customer('Bob');
let keys = 0;

async function setup() {
  const t = await inMemoryModule([TransferMoneyService, WalletLedgerFacade]);
  const from = seedWallet(t.db, { accountId: alice.accountId, currency: 'USD', balance: 10_000n });
  const to = seedWallet(t.db, { accountId: bob.accountId, currency: 'USD', balance: 500n });
  const service = t.module.get(TransferMoneyService);
  const transfer = (command: Partial<TransferCommand> = {}) =>
    service.execute(
      {
        fromWalletId: from.id,
        toWalletId: to.id,
        amount: 2_500n,
        idempotencyKey: `transfer-${++keys}`,
        caller: alice,
        ...command,
      },
      undefined,
    );
  const balances = () => [from, to].map((w) => t.wallets.committed(w.id)?.balance);
  return { ...t, from, to, transfer, balances };
}

describe('TransferMoneyService', () => {
  it("debits the source and credits the destination, any account's, both entries referencing the transfer", async () => {
    const t = await setup();

    const transfer = await t.transfer({ description: 'Rent' });

    expect(transfer).toMatchObject({
      fromWalletId: t.from.id,
      toWalletId: t.to.id,
      amount: 2_500n,
      currency: 'USD',
      description: 'Rent',
    });
    expect(t.transfers.all()).toEqual([transfer]);
    expect(t.balances()).toEqual([7_500n, 3_000n]);
    const debit = t.wallets.ledger(t.from.id)[1];
    const credit = t.wallets.ledger(t.to.id)[1];
    expect(debit).toMatchObject({
      id: transfer.debitTransactionId,
      type: 'debit',
      amount: 2_500n,
      balanceBefore: 10_000n,
      balanceAfter: 7_500n,
      reference: { type: 'transfer', id: transfer.id },
      description: 'Rent',
    });
    expect(credit).toMatchObject({
      id: transfer.creditTransactionId,
      type: 'credit',
      amount: 2_500n,
      balanceBefore: 500n,
      balanceAfter: 3_000n,
      reference: { type: 'transfer', id: transfer.id },
    });
    expect([t.wallets.ledgerSum(t.from.id), t.wallets.ledgerSum(t.to.id)]).toEqual(t.balances());
  });

  it('without a description each entry names the other wallet', async () => {
    const t = await setup();
    await t.transfer();
    expect(t.wallets.ledger(t.from.id)[1].description).toBe(`Transfer to wallet ${t.to.id}`);
    expect(t.wallets.ledger(t.to.id)[1].description).toBe(`Transfer from wallet ${t.from.id}`);
  });

  it("a customer's transfer out of another account's wallet, or an unknown one, is not_found; the admin's goes", async () => {
    const t = await setup();

    await expect(t.transfer({ caller: bob })).rejects.toMatchObject({ code: 'not_found' });
    await expect(t.transfer({ fromWalletId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(t.balances()).toEqual([10_000n, 500n]);

    await t.transfer({ caller: admin() });
    expect(t.balances()).toEqual([7_500n, 3_000n]);
  });

  it('an unknown destination is not_found, another currency currency_mismatch, too little insufficient_funds: nothing moves', async () => {
    const t = await setup();
    const euros = seedWallet(t.db, { accountId: bob.accountId, currency: 'EUR' });

    await expect(t.transfer({ toWalletId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(t.transfer({ toWalletId: euros.id })).rejects.toMatchObject({ code: 'currency_mismatch' });
    await expect(t.transfer({ amount: 10_001n })).rejects.toMatchObject({ code: 'insufficient_funds' });

    expect(t.balances()).toEqual([10_000n, 500n]);
    expect(t.wallets.ledger(t.from.id)).toHaveLength(1);
    expect(t.transfers.all()).toEqual([]);
  });

  it('a credit the destination cannot take (past the largest balance) takes back the debit already written', async () => {
    const t = await setup();
    const full = seedWallet(t.db, {
      accountId: customer('Carol').accountId,
      currency: 'USD',
      balance: MAX_BALANCE,
    });

    await expect(t.transfer({ toWalletId: full.id })).rejects.toMatchObject({
      code: 'balance_limit_exceeded',
    });

    expect(t.wallets.committed(t.from.id)?.balance).toBe(10_000n);
    expect(t.wallets.ledger(t.from.id)).toHaveLength(1);
    expect(t.wallets.committed(full.id)?.balance).toBe(MAX_BALANCE);
    expect(t.transfers.all()).toEqual([]);
  });

  it('a batch in which one credit fails is rolled back and decided again one by one: only that transfer is refused', async () => {
    const t = await setup();
    const full = seedWallet(t.db, {
      accountId: customer('Carol').accountId,
      currency: 'USD',
      balance: MAX_BALANCE,
    });

    const results = await Promise.allSettled([
      t.transfer(),
      t.transfer({ toWalletId: full.id }),
      t.transfer(),
    ]);

    expect(results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as DomainError).code))).toEqual([
      'ok',
      'balance_limit_exceeded',
      'ok',
    ]);
    expect(t.balances()).toEqual([5_000n, 5_500n]);
    expect(t.wallets.ledgerSum(t.from.id)).toBe(5_000n);
    expect(t.transfers.all()).toHaveLength(2);
    // One batch of three rolled back, then three transactions of one: two committed, one rolled back.
    expect(t.db.counts).toEqual({ commits: 2, rollbacks: 2 });
  });

  it('one Idempotency-Key moves the money once: its reuse for a new transfer is refused', async () => {
    const t = await setup();
    await t.transfer({ idempotencyKey: 'rent-march' });

    await expect(t.transfer({ idempotencyKey: 'rent-march' })).rejects.toMatchObject({
      code: 'idempotency_key_reused',
    });

    expect(t.balances()).toEqual([7_500n, 3_000n]);
    expect(t.transfers.all()).toHaveLength(1);
  });
});
