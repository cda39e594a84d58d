import { createHash } from 'crypto';
import type { PaymentMethod, PaymentStatus } from './payment-status';

/**
 * Money received for an order, by wallet or from an external provider. At most one payment per
 * order, ever, pays it (its charge); money of any other payment that arrived for the order is kept
 * beside it to be returned (`refund_required`, then `refunded`).
 */
export interface Payment {
  id: string;
  orderId: string;
  method: PaymentMethod;
  status: PaymentStatus;
  /**
   * True for the order's charge. False for money owed back: a success for a cancelled order, or of
   * another payment for an order already paid.
   */
  paysOrder: boolean;
  amount: bigint;
  currency: string;
  walletId: string | null;
  walletTransactionId: string | null;
  refundTransactionId: string | null;
  externalPaymentId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One refund of an order: by wallet credit or at the provider, possibly one of several. */
export interface Refund {
  id: string;
  orderId: string;
  paymentId: string;
  amount: bigint;
  reason: string | null;
  walletTransactionId: string | null;
  /** The provider's reference of money it returned (a settled refund_required), instead of a credit. */
  externalReference: string | null;
  /**
   * Names what made it: the request of a refund (see refundRequestKey), or the payment a settlement
   * returned (its settlementKey). One refund per request key and order.
   */
  requestKey: string;
  createdAt: Date;
}

/**
 * The request key of a refund asked for with a client's Idempotency-Key: a digest of the calling
 * account and the key, short enough for a ledger key whatever the client's key is (up to 255 characters).
 */
export const refundRequestKey = (accountId: string, idempotencyKey: string): string =>
  createHash('sha256').update(`${accountId}\n${idempotencyKey}`, 'utf8').digest('base64url');

/** Ledger keys of an order's wallet movements: the ledger's unique (wallet, key) makes each happen once. */
export const chargeKey = (orderId: string) => `order-payment:${orderId}`;
export const refundKey = (orderId: string, requestKey: string) => `order-refund:${orderId}:${requestKey}`;
/** The ledger key of the credit that settles a refund_required payment, and its refund's request key: once per payment. */
export const settlementKey = (paymentId: string) => `payment-settlement:${paymentId}`;
