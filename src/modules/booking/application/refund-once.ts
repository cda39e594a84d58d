import type { EntityManager } from 'typeorm';
import type { WalletLedgerFacade } from '../../wallet/application/wallet-ledger.facade';
import { serviceKey } from '../../wallet/domain/wallet';
import { type Booking, refundKey } from '../domain/booking';

/**
 * Credits back what a booking cost, under the one ledger key of its refund: a failure, a cancellation
 * and an operator's resolve all share it, so however they race, the wallet is refunded once.
 */
export async function refundOnce(
  ledger: WalletLedgerFacade,
  em: EntityManager,
  booking: Booking,
  description: string,
): Promise<string> {
  const refund = await ledger.credit(em, {
    walletId: booking.walletId,
    amount: booking.amount,
    reference: { type: 'booking', id: booking.id },
    description,
    idempotencyKey: serviceKey(refundKey(booking.id)),
  });
  return refund.id;
}
