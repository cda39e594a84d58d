import { resolve } from 'path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppConfig } from './config/app-config';
import { requestIdMiddleware } from './shared/http/request-id.middleware';
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
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.disable('x-powered-by');
  // A JSON API has no use for ETags, and Express would hash every response body to make one.
  app.set('etag', false);
  app.use(requestIdMiddleware);
  // Registered after the request id so that a body rejected here still gets one; the raw body is
  // kept for webhook signatures.
  app.useBodyParser('json', { limit: MAX_BODY_BYTES, type: ['application/json', 'application/*+json'] });
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
