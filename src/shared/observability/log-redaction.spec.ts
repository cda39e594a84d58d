import { QueryFailedError } from 'typeorm';
import { serializeError } from './log-redaction';

describe('serializeError', () => {
  it('never keeps the text, parameter values or failing row of a failed query', () => {
    const driverError = Object.assign(new Error('invalid input syntax for type uuid: "ada@example.com"'), {
      code: '22P02',
      severity: 'ERROR',
      detail: 'Failing row contains (Ada, ada@example.com, 5f1c…)',
      where: "unnamed portal parameter $1 = 'ada@example.com'",
      routine: 'string_to_uuid',
    });
    const error = new QueryFailedError(
      'SELECT * FROM accounts WHERE api_key_hash = $1 AND email = $2',
      ['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 'ada@example.com'],
      driverError,
    );
    const logged = JSON.stringify(serializeError(error));
    expect(logged).not.toContain('ada@example.com');
    expect(logged).not.toContain('9f86d081884c7d659a2feaa0c55ad015');
    expect(logged).not.toContain('SELECT');
    expect(logged).not.toContain('Failing row');
    expect(JSON.parse(logged)).toMatchObject({
      type: 'QueryFailedError',
      code: '22P02',
      routine: 'string_to_uuid',
      message: 'invalid input syntax for type uuid: "[redacted]"',
    });
  });

  it('keeps where a constraint failed', () => {
    const driverError = Object.assign(
      new Error('new row for relation "orders" violates check constraint "orders_amount_check"'),
      {
        code: '23514',
        severity: 'ERROR',
        table: 'orders',
        constraint: 'orders_amount_check',
        detail: 'Failing row contains (…, 18014398509481982, …)',
      },
    );
    const logged = serializeError(
      new QueryFailedError('INSERT INTO orders …', [18014398509481982], driverError),
    );
    expect(logged).toMatchObject({ code: '23514', table: 'orders', constraint: 'orders_amount_check' });
    expect(JSON.stringify(logged)).not.toContain('18014398509481982');
  });

  it('keeps the message and stack of an ordinary error, and nothing it happens to carry', () => {
    const error = Object.assign(new Error('provider said no'), {
      config: { headers: { Authorization: 'Bearer x' } },
    });
    const logged = serializeError(error);
    expect(logged).toMatchObject({ type: 'Error', message: 'provider said no' });
    expect(String(logged.stack)).toContain('provider said no');
    expect(JSON.stringify(logged)).not.toContain('Bearer');
  });
});
