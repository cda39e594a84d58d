import type { ProviderHttpClient, ProviderHttpResponse } from './provider-http.client';

/**
 * What the live adapters share: the HTTP client, their credentials and options, a clock, and how a
 * refusal reads. Each adapter implements TravelProvider itself.
 */
export abstract class HttpTravelProvider<Credentials, Options> {
  constructor(
    protected readonly http: ProviderHttpClient,
    protected readonly credentials: Credentials,
    protected readonly options: Options,
    protected readonly now: () => number = Date.now,
  ) {}

  /** The fields of the first error the provider's answer names (its code or title, its message). */
  protected abstract firstError(body: unknown): Array<string | undefined> | undefined;

  /** "status code message" from the provider's first error, else "HTTP status". */
  protected describe(res: ProviderHttpResponse): string {
    const fields = this.firstError(res.body);
    return fields ? [res.status, ...fields.map((f) => f ?? '')].join(' ').trim() : `HTTP ${res.status}`;
  }
}
