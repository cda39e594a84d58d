/**
 * An optional lock in front of a wallet's row lock, so that processes take turns on a wallet there
 * rather than each queueing connections on its row. Only an optimisation: when it fails or is slow
 * to come, the work runs anyway and the row lock keeps it correct.
 */
export interface WalletLock {
  withLock<T>(walletId: string, work: () => Promise<T>): Promise<T>;
}
