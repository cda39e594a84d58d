import type { EntityManager } from 'typeorm';
import type { Caller } from '../../../shared/domain/caller';
import { NotFoundError } from '../../../shared/domain/domain-error';
import type { Hold } from '../domain/hold';
import type { HoldRepository } from '../domain/hold.repository';

/**
 * The caller's hold, locked for the rest of the transaction. Holds of other accounts are not found,
 * so that their existence does not leak.
 */
export async function lockOwnedHold(
  holds: HoldRepository<EntityManager>,
  em: EntityManager,
  caller: Caller,
  holdId: string,
): Promise<Hold> {
  const hold = await holds.lockById(em, holdId);
  if (!hold || hold.accountId !== caller.accountId) throw new NotFoundError('Hold', holdId);
  return hold;
}
