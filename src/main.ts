import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { onRequestHookHandler } from 'fastify';
import { AppModule } from './app.module';
import { APP_OPTIONS, configureApp, createHttpAdapter } from './app.setup';
import { ConfigValidationError, loadConfig } from './config/app-config';
import { problemDocument } from './shared/http/problem-details';
import { requestIdOf, sendProblem } from './shared/http/problem-details.filter';

/** A worker runs the queue consumers and answers only its own health and metrics. */
const workerOnlyRoutes: onRequestHookHandler = (req, reply, done) => {
  const path = req.url.split('?')[0];
  if (path === '/health' || path === '/metrics') return done();
  sendProblem(reply, {
    headers: {},
    body: problemDocument({
      status: 404,
      title: 'Not found',
      code: 'not_found',
      detail: 'This process runs with ROLE=worker and serves only /health and /metrics',
      requestId: requestIdOf(req),
    }),
  });
};

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }

  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule,
    createHttpAdapter(config),
    APP_OPTIONS,
  );
  configureApp(app);
  if (config.ROLE === 'worker') app.getHttpAdapter().getInstance().addHook('onRequest', workerOnlyRoutes);
  await app.listen(config.PORT, '0.0.0.0');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  process.stdout.write(
    `${JSON.stringify({ level: 30, time: Date.now(), msg: `listening on http://localhost:${port} (docs at /docs, role ${config.ROLE})` })}\n`,
  );
}

void bootstrap();
