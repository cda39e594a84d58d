import type { EntityManager } from 'typeorm';
import { type Batch, type BatchOutcome, HotRowBatcher } from '../../../shared/database/hot-row-batcher';
import { byIdempotencyKey, type IdempotentRequest } from '../../../shared/database/idempotent-request';
import type { UnitOfWork } from '../../../shared/database/unit-of-work';
import { WalletBusyError } from '../domain/wallet.errors';

/** The most requests one wallet transaction decides: enough to amortise a commit, small enough to stay short. */
const MAX_BATCH = 64;

/**
 * Group commit on a wallet: requests on one wallet (movements of it, transfers out of it) that
 * arrive while a transaction on it is in flight join the next batch, and `decide` takes the whole
 * batch in one transaction (see decideBatch: two requests of one key never share a batch), and a lock wait that runs out is `wallet_busy` for all.
 * `around` wraps each transaction (the optional Redis wallet lock).
 */
export function walletBatcher<C extends { idempotent?: IdempotentRequest }, R>(
  uow: UnitOfWork,
  decide: (em: EntityManager, walletId: string, batch: Batch<C>) => Promise<Array<BatchOutcome<R>>>,
  around: <T>(walletId: string, transaction: () => Promise<T>) => Promise<T> = (_walletId, transaction) =>
    transaction(),
): HotRowBatcher<C, R> {
  return new HotRowBatcher<C, R>(
    (walletId, batch) =>
      around(walletId, () =>
        uow.run((em) => decide(em, walletId, batch), { onLockTimeout: () => new WalletBusyError() }),
      ),
    { maxBatch: MAX_BATCH, conflictKey: byIdempotencyKey },
  );
}
