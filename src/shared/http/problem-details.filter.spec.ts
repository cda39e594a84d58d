import {
  BadRequestException,
  HttpException,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { NotFoundError, ResourceBusyError } from '../domain/domain-error';
import { ValidationFailedError } from './http-errors';
import { toProblem } from './problem-details.filter';

const logger = { error: jest.fn() } as unknown as Logger;

describe('toProblem', () => {
  it('maps a domain error to its status and code, with the request id', () => {
    const { body, headers } = toProblem(new NotFoundError('Wallet', 'w1'), 'req-1', logger);
    expect(body).toEqual({
      type: 'about:blank',
      title: 'Not found',
      status: 404,
      code: 'not_found',
      detail: 'Wallet w1 was not found',
      request_id: 'req-1',
    });
    expect(headers).toEqual({});
  });

  it('lists field errors on validation failures', () => {
    const { body } = toProblem(
      new ValidationFailedError([{ field: 'amount', message: 'must be a positive integer' }]),
      'r',
      logger,
    );
    expect(body.status).toBe(400);
    expect(body.code).toBe('validation_failed');
    expect(body.errors).toEqual([{ field: 'amount', message: 'must be a positive integer' }]);
  });

  it('sends Retry-After for busy resources', () => {
    const { body, headers } = toProblem(new ResourceBusyError(), 'r', logger);
    expect(body.status).toBe(503);
    expect(headers['Retry-After']).toBe('1');
  });

  it.each([
    [new NotFoundException('Cannot GET /x'), 404, 'not_found'],
    [new PayloadTooLargeException(), 413, 'payload_too_large'],
    [new BadRequestException('Unexpected token'), 400, 'validation_failed'],
    [new HttpException('Too many requests', 429), 429, 'rate_limited'],
  ])('maps framework exception %#', (exception, status, code) => {
    const { body } = toProblem(exception, 'r', logger);
    expect(body.status).toBe(status);
    expect(body.code).toBe(code);
    expect(body.type).toBe('about:blank');
  });

  it("maps Fastify's body-reading errors", () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    expect(toProblem(tooLarge, 'r', logger).body.code).toBe('payload_too_large');
    const malformed = Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 });
    expect(toProblem(malformed, 'r', logger).body).toMatchObject({ status: 400, code: 'validation_failed' });
    const mediaType = Object.assign(new Error('Unsupported Media Type: text/xml'), {
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      statusCode: 415,
    });
    expect(toProblem(mediaType, 'r', logger).body).toMatchObject({
      status: 415,
      code: 'unsupported_media_type',
    });
  });

  it("maps Fastify's router errors (a malformed or over-long path) to validation_failed", () => {
    const badUrl = Object.assign(new URIError("'/api/products/%FF' is not a valid url component"), {
      code: 'FST_ERR_BAD_URL',
      statusCode: 400,
    });
    const tooLong = Object.assign(new URIError("'/api/orders/aaa' is exceeding the max param length"), {
      code: 'FST_ERR_MAX_PARAM_LENGTH',
      statusCode: 414,
    });
    for (const error of [badUrl, tooLong]) {
      const { body } = toProblem(error, 'r', logger);
      expect(body).toMatchObject({ status: 400, code: 'validation_failed', request_id: 'r' });
      expect(body.detail).not.toContain('/api/');
    }
  });

  it('answers 503 when the database is unreachable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const { body, headers } = toProblem(refused, 'r', logger);
    expect(body).toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(headers['Retry-After']).toBe('5');
  });

  it('hides everything about an unexpected error', () => {
    const secret = new Error('relation "wallets" does not exist at SELECT * FROM wallets');
    const { body } = toProblem(secret, 'req-9', logger);
    expect(body).toEqual({
      type: 'about:blank',
      title: 'Internal server error',
      status: 500,
      code: 'internal_error',
      request_id: 'req-9',
    });
    expect(JSON.stringify(body)).not.toContain('wallets');
  });
});
