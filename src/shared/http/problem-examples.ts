import { STATUS_BY_CODE } from './problem-details';

/**
 * What the service answers for each code, as a reader of the Swagger document should see it: the
 * title and a detail shaped like the real one. A code without an entry here gets a title made from
 * the code and no detail.
 */
const SAMPLES: Record<string, { title?: string; detail?: string; errors?: object[] }> = {
  validation_failed: {
    detail: 'amount must be a positive integer',
    errors: [{ field: 'amount', message: 'must be a positive integer' }],
  },
  idempotency_key_required: { detail: 'This endpoint needs an Idempotency-Key header' },
  invalid_idempotency_key: { detail: 'Idempotency-Key must be 1 to 255 printable ASCII characters' },
  unauthorized: { detail: 'Missing or unknown API key' },
  invalid_signature: { detail: 'The webhook signature does not match' },
  forbidden: { detail: 'This operation needs the admin key' },
  not_found: { detail: 'Wallet 0b0f6c35-4ff0-4f6e-9b43-2f0d3c8a51c2 was not found' },
  request_timeout: { detail: 'The request was not received whole in time' },
  insufficient_stock: { detail: '3 units requested, 1 available' },
  hold_not_active: { detail: 'Hold 7d9c3a4e-2b1f-4c8e-a0d5-6e4b2f1c9a87 is consumed' },
  order_not_payable: { detail: 'Order 5f2a8c1e-9d4b-4e6f-b3a7-1c0e8d2f4b96 is paid and cannot be paid' },
  order_not_cancellable: {
    detail: 'Order 5f2a8c1e-9d4b-4e6f-b3a7-1c0e8d2f4b96 is paid and cannot be cancelled',
  },
  order_not_refundable: {
    detail: 'Order 5f2a8c1e-9d4b-4e6f-b3a7-1c0e8d2f4b96 is refunded and cannot be refunded',
  },
  payment_not_resolvable: {
    detail: 'Payment 2c4e6a8b-1d3f-4a5c-9e7b-0f2d4c6a8e1b is refunded, not refund_required',
  },
  authorization_not_pending: {
    detail: 'Authorization 1e3c5a7b-9d2f-4b6e-8a0c-3f5e7a9c1b2d is voided, not pending',
  },
  limit_exceeded: { detail: 'At most 2 units of this product per account' },
  wallet_exists: { detail: 'Account 9a7b5c3d-1e2f-4a6b-8c0d-2e4f6a8b0c1d already has a USD wallet' },
  idempotency_key_in_use: {
    detail: 'A request with this Idempotency-Key is still being processed; retry shortly',
  },
  hold_expired: { detail: 'Hold 7d9c3a4e-2b1f-4c8e-a0d5-6e4b2f1c9a87 has expired' },
  payload_too_large: { detail: 'The body is larger than 65536 bytes' },
  unsupported_media_type: { detail: 'Bodies are application/json in UTF-8, uncompressed' },
  insufficient_funds: { detail: 'Balance 500 is below 1999' },
  currency_mismatch: { detail: 'The wallet holds EUR, not USD' },
  idempotency_key_reused: {
    detail: 'This Idempotency-Key was used for a different request (method, path or body)',
  },
  refund_exceeds_payment: {
    detail:
      'A refund of 5000 is more than the 999 left to refund on order 5f2a8c1e-9d4b-4e6f-b3a7-1c0e8d2f4b96',
  },
  balance_limit_exceeded: {
    detail: 'Crediting 5000 to a balance of 9007199254740000 would exceed 9007199254740991',
  },
  amount_exceeds_authorization: {
    detail: 'A capture of 5000 is more than the 3000 authorized',
  },
  offer_unavailable: { detail: 'The provider no longer sells this offer' },
  amount_too_large: { detail: '1000 × 9007199254740991 is more than the largest amount, 9007199254740991' },
  rate_limited: {
    title: 'Too many requests',
    detail: 'More than 600 requests per minute; retry after Retry-After seconds',
  },
  internal_error: { title: 'Internal server error' },
  provider_unavailable: { detail: 'The travel provider could not be reached' },
  wallet_busy: { detail: 'The wallet is busy with other payments; retry shortly' },
  resource_busy: { detail: 'The row is busy with other requests; retry shortly' },
  service_unavailable: { detail: 'The database is unreachable' },
};

const EXAMPLE_REQUEST_ID = '3f1c9a0e-8f7b-4a44-9a57-0c1a2f1f9f00';

const titleOf = (code: string) => code.charAt(0).toUpperCase() + code.slice(1).replace(/_/g, ' ');

/** The problem document the service answers with `code`, as an example. */
function problemExample(code: string, status: number): Record<string, unknown> {
  const sample = SAMPLES[code] ?? {};
  return {
    type: 'about:blank',
    title: sample.title ?? titleOf(code),
    status,
    code,
    ...(sample.detail === undefined ? {} : { detail: sample.detail }),
    request_id: EXAMPLE_REQUEST_ID,
    ...(sample.errors === undefined ? {} : { errors: sample.errors }),
  };
}

/**
 * One example per code that a response's description names (`code` in backticks) and that the
 * service answers with this status, so that a 401 shows `unauthorized` and a 422 each of its
 * refusals; `fallback` when the description names none.
 */
export function problemExamples(
  status: number,
  description: string,
  fallback: string,
): Record<string, { summary: string; value: Record<string, unknown> }> {
  const named = [...description.matchAll(/`([a-z_]+)`/g)]
    .map((match) => match[1])
    .filter((code) => STATUS_BY_CODE[code] === status);
  const codes = [...new Set(named.length > 0 ? named : [fallback])];
  return Object.fromEntries(
    codes.map((code) => [code, { summary: code, value: problemExample(code, status) }]),
  );
}
