import { createHash } from 'crypto';
import { type LedgerKey, serviceKey } from './wallet';

/** Money moved from one wallet to another: a debit and a credit made in one transaction. */
export interface Transfer {
  id: string;
  fromWalletId: string;
  toWalletId: string;
  amount: bigint;
  currency: string;
  description: string | null;
  debitTransactionId: string;
  creditTransactionId: string;
  createdAt: Date;
}

/**
 * The ledger keys of the transfer a client asked for with an Idempotency-Key: derived from the
 * calling account and the key, in the service's own namespace (no client key can reach them), so
 * that one key makes at most one debit and one credit whatever the layers above do.
 */
export function transferLedgerKeys(
  accountId: string,
  idempotencyKey: string,
): { debit: LedgerKey; credit: LedgerKey } {
  const digest = createHash('sha256').update(`${accountId}\n${idempotencyKey}`, 'utf8').digest('base64url');
  return { debit: serviceKey(`transfer-out:${digest}`), credit: serviceKey(`transfer-in:${digest}`) };
}

/** What a ledger entry of a transfer says when the client gave no description. */
export const transferDescription = (
  transfer: Pick<Transfer, 'fromWalletId' | 'toWalletId'>,
  side: 'debit' | 'credit',
) =>
  side === 'debit'
    ? `Transfer to wallet ${transfer.toWalletId}`
    : `Transfer from wallet ${transfer.fromWalletId}`;
