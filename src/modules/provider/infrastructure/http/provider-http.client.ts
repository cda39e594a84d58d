import { ProviderUnavailableError } from '../../domain/provider.errors';

export interface ProviderHttpOptions {
  /** Name used in error messages ("Amadeus"). */
  provider: string;
  baseUrl: string;
  timeoutMs: number;
  /** Total tries of a retryable request, the first included. */
  maxAttempts?: number;
  /** First backoff; doubles each retry, with jitter. */
  baseDelayMs?: number;
  /** Longest single wait, also the most a `Retry-After` is honoured; a longer one gives up at once. */
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ProviderHttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string | number>;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** The media type of a `json` body and of the answer wanted (default `application/json`). */
  mediaType?: string;
  /**
   * `idempotent`: timeouts, network errors, 429 and 5xx are retried.
   * `unsafe` (creates): only answers that prove nothing happened (429, 503) are retried; a timeout or
   * another 5xx may have taken effect, so it surfaces as an ambiguous ProviderUnavailableError and the
   * caller decides (look the booking up, then retry).
   */
  retry?: 'idempotent' | 'unsafe';
}

export interface ProviderHttpResponse {
  status: number;
  body: unknown;
}

const TRANSIENT = new Set([429, 500, 502, 503, 504]);
const NOTHING_HAPPENED = new Set([429, 503]);

/** Seconds or an HTTP date, per RFC 9110; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * A small JSON-over-HTTP client for provider APIs on Node's fetch: a timeout on every call, and
 * retries with exponential backoff and jitter that honour `Retry-After`. Non-transient answers
 * (2xx, 4xx) are returned for the adapter to interpret.
 */
export class ProviderHttpClient {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ProviderHttpOptions) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 5000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async send(request: ProviderHttpRequest): Promise<ProviderHttpResponse> {
    const mode = request.retry ?? 'idempotent';
    const name = `${this.options.provider} ${request.method} ${request.path}`;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.maxAttempts;
      let response: Response;
      let body: unknown;
      try {
        // The timeout covers reading the body too: a provider that stalls mid-answer is a timeout.
        response = await fetch(this.url(request), {
          method: request.method,
          headers: this.headers(request),
          body: this.body(request),
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        body = await readBody(response);
      } catch (error) {
        const timedOut = (error as Error).name === 'TimeoutError';
        const reason = timedOut ? `timed out after ${this.options.timeoutMs} ms` : networkFailure(error);
        // A connection that was never made cannot have booked anything; a timeout might have.
        const ambiguous = timedOut || !isConnectionRefused(error);
        if (last || (mode === 'unsafe' && ambiguous)) {
          throw new ProviderUnavailableError(`${name} failed: ${reason}`, ambiguous && mode === 'unsafe');
        }
        await this.sleep(this.backoff(attempt));
        continue;
      }

      if (!TRANSIENT.has(response.status)) return { status: response.status, body };

      const retryable = mode === 'idempotent' || NOTHING_HAPPENED.has(response.status);
      const wait = retryAfterMs(response.headers.get('retry-after')) ?? this.backoff(attempt);
      if (!retryable || last || wait > this.maxDelayMs) {
        throw new ProviderUnavailableError(
          `${name} answered ${response.status}`,
          mode === 'unsafe' && !NOTHING_HAPPENED.has(response.status),
        );
      }
      await this.sleep(wait);
    }
  }

  private backoff(attempt: number): number {
    const exponential = this.baseDelayMs * 2 ** (attempt - 1);
    return Math.min(this.maxDelayMs, Math.round(exponential * (0.5 + Math.random() / 2)));
  }

  private url(request: ProviderHttpRequest): string {
    const url = new URL(request.path, this.options.baseUrl);
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, String(value));
    return url.toString();
  }

  private headers(request: ProviderHttpRequest): Record<string, string> {
    const mediaType = request.mediaType ?? 'application/json';
    const headers: Record<string, string> = { accept: mediaType, ...request.headers };
    if (request.json !== undefined) headers['content-type'] = mediaType;
    if (request.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    return headers;
  }

  private body(request: ProviderHttpRequest): string | undefined {
    if (request.form) return new URLSearchParams(request.form).toString();
    return request.json === undefined ? undefined : JSON.stringify(request.json);
  }
}

/** fetch's "fetch failed", with the network's reason ("getaddrinfo ENOTFOUND test.api.amadeus.com"). */
function networkFailure(error: unknown): string {
  const cause = (error as { cause?: { message?: string } }).cause?.message;
  return cause ? `${(error as Error).message} (${cause})` : (error as Error).message;
}

function isConnectionRefused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code === 'ECONNREFUSED';
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
