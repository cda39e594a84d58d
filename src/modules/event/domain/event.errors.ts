import { domainError } from '../../../shared/domain/domain-error';

/** A webhook endpoint URL that is not https to a public address (unless WEBHOOK_ALLOW_PRIVATE). */
export class InvalidWebhookUrlError extends domainError('invalid_webhook_url', 'Invalid webhook URL') {}
