import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppConfig } from './config/app-config';
import { jsonDepthLimit } from './shared/http/hostile-input';
import { requestIdMiddleware } from './shared/http/request-id.middleware';
import { setupSwagger } from './shared/http/swagger';
import { createValidationPipe } from './shared/http/validation';

export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Everything main.ts and the test app factory share, so that tests exercise the real HTTP stack.
 * The app must be created with `{ bodyParser: false, rawBody: true, bufferLogs: true }`.
 */
export function configureApp(app: NestExpressApplication): AppConfig {
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.disable('x-powered-by');
  app.use(requestIdMiddleware);
  // Registered after the request id so that a body rejected here still gets one; the raw body is
  // kept for webhook signatures.
  app.useBodyParser('json', { limit: MAX_BODY_BYTES, type: ['application/json', 'application/*+json'] });
  app.use(jsonDepthLimit);
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  setupSwagger(app, config);
  return config;
}
