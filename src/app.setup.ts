import { resolve } from 'path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'http';
import type Redis from 'ioredis';
import { Logger } from 'nestjs-pino';
import { AppConfig } from './config/app-config';
import { API_KEY_AUTHENTICATOR, type ApiKeyAuthenticator } from './shared/http/auth';
import { jsonDepthLimit } from './shared/http/hostile-input';
import { rateLimitMiddleware } from './shared/http/rate-limit';
import { requestIdMiddleware } from './shared/http/request-id.middleware';
import { REDIS } from './shared/redis/redis.module';
import { setupSwagger } from './shared/http/swagger';
import { createValidationPipe } from './shared/http/validation';

export const MAX_BODY_BYTES = 64 * 1024;
/** `public/demo` at the project root, from `src/` (tests) and `dist/src/` (build) alike. */
const DEMO_DIR = resolve(__dirname, __filename.endsWith('.ts') ? '..' : '../..', 'public', 'demo');

/**
 * Everything main.ts and the test app factory share, so that tests exercise the real HTTP stack.
 * The app must be created with `{ bodyParser: false, rawBody: true, bufferLogs: true }`.
 */
export function configureApp(app: NestExpressApplication): AppConfig {
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  // Only the configured proxies may name the client; by default the socket's address is the client.
  app.set('trust proxy', config.TRUST_PROXY.trim() === '' ? false : config.TRUST_PROXY);
  app.disable('x-powered-by');
  // A JSON API has no use for ETags, and Express would hash every response body to make one.
  app.set('etag', false);
  boundRequestTime(app.getHttpServer() as Server, config.REQUEST_TIMEOUT_MS);
  app.use(requestIdMiddleware);
  // Before body parsing, so a limited client costs no parsing; before routing, so it covers the
  // queue dashboard and runs ahead of the API key guard.
  app.use(
    rateLimitMiddleware(config, app.get<Redis>(REDIS), app.get<ApiKeyAuthenticator>(API_KEY_AUTHENTICATOR)),
  );
  // Registered after the request id so that a body rejected here still gets one; the raw body is
  // kept for webhook signatures.
  app.useBodyParser('json', { limit: MAX_BODY_BYTES, type: ['application/json', 'application/*+json'] });
  app.use(jsonDepthLimit);
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  // A worker serves only /health and /metrics: no documentation, no demo page.
  if (config.ROLE !== 'worker') {
    setupSwagger(app, config);
    // The concurrency demo: static files, a client of the public API like any other.
    app.useStaticAssets(DEMO_DIR, { prefix: '/demo', index: 'index.html' });
  }
  return config;
}

/**
 * A client that trickles its headers or body holds a connection; Node cuts it with a 408 once the
 * request has not arrived whole within the request timeout. Node checks at an interval (30 s by
 * default), which must be set before the server listens.
 */
function boundRequestTime(server: Server, timeoutMs: number): void {
  server.requestTimeout = timeoutMs;
  server.headersTimeout = timeoutMs;
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(
    1000,
    timeoutMs,
  );
}
