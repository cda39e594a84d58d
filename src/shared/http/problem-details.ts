import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { FieldError } from './http-errors';

/** HTTP status of every error code the API answers with (see openapi.json). */
export const STATUS_BY_CODE: Record<string, number> = {
  validation_failed: 400,
  idempotency_key_required: 400,
  invalid_idempotency_key: 400,
  unauthorized: 401,
  invalid_signature: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  insufficient_stock: 409,
  hold_not_active: 409,
  order_not_payable: 409,
  order_not_cancellable: 409,
  order_not_refundable: 409,
  payment_not_resolvable: 409,
  authorization_not_pending: 409,
  payment_transition_refused: 409,
  booking_not_cancellable: 409,
  booking_not_resolvable: 409,
  limit_exceeded: 409,
  wallet_exists: 409,
  idempotency_key_in_use: 409,
  hold_expired: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  insufficient_funds: 422,
  currency_mismatch: 422,
  idempotency_key_reused: 422,
  refund_exceeds_payment: 422,
  balance_limit_exceeded: 422,
  amount_exceeds_authorization: 422,
  offer_unavailable: 422,
  amount_too_large: 422,
  wallet_not_eligible: 422,
  booking_refused: 422,
  traveler_details_required: 422,
  invalid_webhook_url: 422,
  rate_limited: 429,
  internal_error: 500,
  provider_unavailable: 502,
  wallet_busy: 503,
  resource_busy: 503,
  service_unavailable: 503,
};

/** Code for an HTTP status when the error carries none of its own (framework exceptions). */
export const CODE_BY_STATUS: Record<number, string> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'service_unavailable',
};

/** The code of an answer that carries none of its own: its status's, else a generic one. */
export function codeForStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'validation_failed');
}

export class FieldErrorDto implements FieldError {
  @ApiProperty({ example: 'amount' }) field: string;
  @ApiProperty({ example: 'must be a positive integer' }) message: string;
}

/** RFC 9457 problem details, as every error of this API is answered. */
export class ProblemDetails {
  @ApiProperty({ example: 'about:blank' }) type: string;
  @ApiProperty({ example: 'Insufficient funds' }) title: string;
  @ApiProperty({ example: 422 }) status: number;
  @ApiProperty({ example: 'insufficient_funds', description: 'Stable machine-readable error code' })
  code: string;
  @ApiPropertyOptional({ example: 'Balance 500 is below 800' }) detail?: string;
  @ApiProperty({ example: '3f1c9a0e-8f7b-4a44-9a57-0c1a2f1f9f00' }) request_id: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Present on validation failures' })
  errors?: FieldErrorDto[];
  @ApiPropertyOptional({
    enum: [true],
    description:
      'Present (`true`) when this refusal is the stored answer of an earlier request with the same ' +
      'Idempotency-Key, replayed: it tells what happened then, not the state now',
  })
  replayed?: true;
  @ApiPropertyOptional({
    example: '9b2d4f6a-8c0e-4a1b-b3d5-7e9f1a3c5b70',
    description: 'With `replayed`: the `request_id` of the request that was refused first',
  })
  original_request_id?: string;
}

/**
 * The problem+json answers of a route, by HTTP status, each described by the codes it carries:
 * `@ApiProblems({ 400: '`validation_failed`', 404: '`not_found`' })`. Descriptions of a status
 * that another decorator documents too (`@Idempotent()`, `@AdminOnly()`) are merged as usual.
 */
export const ApiProblems = (descriptions: Record<number, string>) =>
  applyDecorators(
    ...Object.entries(descriptions).map(([status, description]) =>
      ApiResponse({ status: Number(status), type: ProblemDetails, description }),
    ),
  );

/**
 * A problem document as this API writes every one; `errors` names the fields of a validation
 * failure. A problem without `detail` (a bare 500) has no such member at all.
 */
export function problemDocument(fields: {
  status: number;
  title: string;
  code: string;
  detail?: string;
  requestId: string;
  errors?: FieldError[];
}): ProblemDetails {
  const { status, title, code, detail, requestId, errors } = fields;
  return {
    type: 'about:blank',
    title,
    status,
    code,
    ...(detail === undefined ? {} : { detail }),
    request_id: requestId,
    ...(errors === undefined ? {} : { errors }),
  };
}
