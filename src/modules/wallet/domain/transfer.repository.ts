import type { Transfer } from './transfer';

/** Storage of transfers; methods that take `tx` run inside the caller's transaction. */
export interface TransferRepository<Tx> {
  /** Every transfer in one round trip. */
  insert(tx: Tx, transfers: Transfer[]): Promise<void>;
  findById(id: string, tx?: Tx): Promise<Transfer | null>;
  findByDebitTransactionId(tx: Tx, debitTransactionId: string): Promise<Transfer | null>;
}
