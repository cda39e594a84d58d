export type PaymentMethod = 'wallet' | 'external';
/** `refund_required`: money that arrived for an order already cancelled. */
export type PaymentStatus = 'succeeded' | 'refund_required' | 'refunded';

/** One per order, ever: the charge of an order by wallet or by an external provider. */
export interface Payment {
  id: string;
  orderId: string;
  method: PaymentMethod;
  status: PaymentStatus;
  amount: bigint;
  currency: string;
  walletId: string | null;
  walletTransactionId: string | null;
  refundTransactionId: string | null;
  externalPaymentId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Ledger keys of an order's wallet movements: the ledger's unique (wallet, key) makes each happen once. */
export const chargeKey = (orderId: string) => `order-payment:${orderId}`;
export const refundKey = (orderId: string) => `order-refund:${orderId}`;
