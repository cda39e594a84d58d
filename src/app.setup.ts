import { IdempotentCalls, serveIdempotentCalls } from './shared/idempotency/idempotent-calls';
import { resolve } from 'path';
import helmet from '@fastify/helmet';
import { Logger as NestLogger } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Server } from 'http';
import type Redis from 'ioredis';
import { Logger } from 'nestjs-pino';
import { AppConfig } from './config/app-config';
import { CLOCK, type Clock } from './shared/domain/clock';
import { API_KEY_AUTHENTICATOR, type ApiKeyAuthenticator } from './shared/http/auth';
import { answerClientError, HTTP_SERVER_OPTIONS, refuseMissingHost } from './shared/http/client-error';
import { HttpMetrics } from './shared/http/http-metrics';
import { locate } from './shared/http/location';
import { parseJsonBody } from './shared/http/hostile-input';
import { sendProblem, toProblem } from './shared/http/problem-details.filter';
import { rateLimitHook } from './shared/http/rate-limit';
import { requestIdFor } from './shared/http/request-id';
import { requestLogHook } from './shared/http/request-log';
import { answerLateRequests } from './shared/http/request-timeout';
import { REDIS } from './shared/redis/redis.module';
import { MetricsRegistry } from './shared/observability/metrics';
import { guardQueueDashboard } from './shared/queue/queue-dashboard.module';
import { setupSwagger } from './shared/http/swagger';
import { createValidationPipe } from './shared/http/validation';

export const MAX_BODY_BYTES = 64 * 1024;
const problemLogger = new NestLogger('ProblemDetails');
/** `public/demo` at the project root, from `src/` (tests) and `dist/src/` (build) alike. */
const DEMO_DIR = resolve(__dirname, __filename.endsWith('.ts') ? '..' : '../..', 'public', 'demo');

/**
 * Headers for the browser-facing pages (`/docs`, `/demo`). Scripts and styles come only from this
 * origin (Swagger UI's and the demo's are files, none inline); Swagger UI sets style attributes, so
 * inline styles are allowed; calls go to this origin only; nothing may frame a page. HSTS is left to
 * whatever terminates TLS in front of the service.
 */
const SECURITY_HEADERS = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      'default-src': ["'self'"],
      'base-uri': ["'self'"],
      'script-src': ["'self'"],
      'script-src-attr': ["'none'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:'],
      'font-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'form-action': ["'self'"],
      'object-src': ["'none'"],
      'frame-ancestors': ["'none'"],
    },
  },
  frameguard: { action: 'deny' as const },
  referrerPolicy: { policy: 'no-referrer' as const },
  strictTransportSecurity: false,
};

/** The options every app is created with, by main.ts and the test app factory alike. */
export const APP_OPTIONS = { bodyParser: false, rawBody: true, bufferLogs: true } as const;

/**
 * Fastify, chosen by profile: under a flash sale, Express's router, body-parser and response
 * helpers took about a fifth of the service's CPU, and every millisecond the event loop spends
 * there is a millisecond a hot row's batch waits to be answered.
 */
export function createHttpAdapter(config: AppConfig): FastifyAdapter {
  const proxies = config.TRUST_PROXY.split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return new ServiceHttpAdapter({
    // Only the configured proxies may name the client; by default the socket's address is the client.
    trustProxy: proxies.length > 0 ? proxies : false,
    bodyLimit: MAX_BODY_BYTES,
    // The client's own x-request-id when it is sensible, else a new UUID; echoed by requestIdHook.
    requestIdHeader: false,
    genReqId: requestIdFor,
    // Connections idle between requests close promptly at shutdown, so in-flight requests drain.
    keepAliveTimeout: 5000,
    clientErrorHandler: answerClientError,
    http: HTTP_SERVER_OPTIONS,
    // A malformed URL (or a path segment past maxParamLength) is answered by the router before any
    // hook or Nest's error handler runs: it still gets its request id, and a problem document.
    frameworkErrors: (error: Error, req: FastifyRequest, reply: FastifyReply) => {
      sendProblem(reply.header('x-request-id', req.id), toProblem(error, req.id, problemLogger));
    },
    // Long path parameters reach the handler's validation (a 400), not a bare route miss.
    routerOptions: { maxParamLength: 1000 },
  });
}

/**
 * Nest's Fastify adapter, where the handlers' answers are sent: a 201 of a `@Creates()` route gets
 * its `Location`, and a handler that finishes after its request was answered 503 by timeout (see
 * answerLateRequests) sends nothing, the client having had its answer.
 */
class ServiceHttpAdapter extends FastifyAdapter {
  override reply(...args: Parameters<FastifyAdapter['reply']>): ReturnType<FastifyAdapter['reply']> {
    const [, body, status] = args;
    const reply = args[0] as ReturnType<FastifyAdapter['reply']>;
    if (reply.sent === true) return reply;
    locate(reply, body, status);
    return super.reply(...args);
  }
}

/**
 * Everything main.ts and the test app factory share, so that tests exercise the real HTTP stack.
 * The app must be created on `createHttpAdapter(config)` with `APP_OPTIONS`.
 */
export function configureApp(app: NestFastifyApplication): AppConfig {
  const config = app.get(AppConfig);
  const fastify = app.getHttpAdapter().getInstance();
  app.useLogger(app.get(Logger));
  boundRequestTime(app.getHttpServer() as Server, config.REQUEST_TIMEOUT_MS);
  fastify.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    if (!refuseMissingHost(req, reply, problemLogger)) done();
  });
  answerLateRequests(fastify, config.REQUEST_TIMEOUT_MS, problemLogger);
  // Before body parsing, so a limited client costs no parsing; before routing to a handler, so it
  // covers the queue dashboard and runs ahead of the API key guard.
  const limit = rateLimitHook(
    config,
    app.get<Redis>(REDIS),
    app.get<ApiKeyAuthenticator>(API_KEY_AUTHENTICATOR),
    app.get<Clock>(CLOCK),
    app.get(MetricsRegistry),
  );
  if (limit) fastify.addHook('onRequest', limit);
  serveIdempotentCalls(fastify, app.get(IdempotentCalls));
  guardQueueDashboard(fastify, config);
  securePages(app);
  app.get(HttpMetrics).attach(fastify);
  fastify.addHook('onResponse', requestLogHook());
  // The raw body is kept (APP_OPTIONS.rawBody) for webhook signatures.
  for (const type of ['application/json', /^application\/[\w.+-]+\+json$/]) {
    app.useBodyParser(type, { bodyLimit: MAX_BODY_BYTES }, parseJsonBody);
  }
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  // A worker serves only /health and /metrics: no documentation, no demo page.
  if (config.ROLE !== 'worker') {
    setupSwagger(app, config);
    // The concurrency demo: static files, a client of the public API like any other.
    app.useStaticAssets({
      root: DEMO_DIR,
      prefix: '/demo',
      index: 'index.html',
      redirect: true,
      decorateReply: false,
    });
  }
  return config;
}

/** The routes that serve pages to browsers: Swagger UI, its document, and the demo's files. */
const BROWSER_PAGES = /^\/(docs|demo)(\/|-json|$)/;

/**
 * The security headers on every route of the browser-facing pages, and on no API route: the plugin
 * builds its middleware on each request it applies to, which doubled the CPU of a bare JSON answer in
 * a measurement, for headers a JSON client does not read. The hook must see the page routes, so it is
 * added before Swagger UI and the demo register theirs.
 */
function securePages(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      if (BROWSER_PAGES.test(route.url ?? '')) route.config = { ...(route.config ?? {}), helmet: {} };
    });
  void app.register(helmet, { ...SECURITY_HEADERS, global: false });
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
