/**
 * What an error may put in a log line. Errors are reduced to a fixed set of fields, so that nothing
 * an error happens to carry (a failed query's text and parameter values, a driver's `detail` with
 * the failing row, an HTTP client's headers) reaches the logs. PostgreSQL messages quote the value
 * they refused (`invalid input syntax for type uuid: "…"`), so quoted parts of a database error's
 * message are blanked too; the constraint, table and column still say where it happened.
 */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  if (error === null || typeof error !== 'object') return { message: String(error) };
  const e = error as Record<string, unknown> & { driverError?: Record<string, unknown> };
  const driver = e.driverError ?? e;
  const database = isDatabaseError(e);
  const message = typeof e.message === 'string' ? e.message : '';
  const stack = typeof e.stack === 'string' ? e.stack : undefined;
  const out: Record<string, unknown> = {
    type: (error as object).constructor?.name ?? 'Error',
    message: database ? redactQuoted(message) : message,
  };
  // The first line of a stack repeats the message.
  if (stack) out.stack = database ? stack.split('\n').slice(1).join('\n') : stack;
  for (const field of ['code', 'constraint', 'table', 'column', 'routine'] as const) {
    const value = driver[field] ?? e[field];
    if (typeof value === 'string' || typeof value === 'number') out[field] = value;
  }
  if (e.cause !== undefined && depth < 2) out.cause = serializeError(e.cause, depth + 1);
  return out;
}

function isDatabaseError(e: Record<string, unknown> & { driverError?: unknown }): boolean {
  return (
    'query' in e ||
    'parameters' in e ||
    e.driverError !== undefined ||
    (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && ('severity' in e || 'routine' in e))
  );
}

function redactQuoted(message: string): string {
  return message
    .replace(/"(?:[^"\\]|\\.)*"/g, '"[redacted]"')
    .replace(/0x[0-9a-f]{2}(?: 0x[0-9a-f]{2})*/gi, '0x…');
}
