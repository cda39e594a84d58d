import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { ConfigValidationError, loadConfig } from './config/app-config';
import { requestIdOf, sendProblem } from './shared/http/problem-details.filter';
import type { NextFunction, Request, Response } from 'express';

/** A worker runs the queue consumers and answers only its own health and metrics. */
function workerOnlyRoutes(req: Request, res: Response, next: NextFunction): void {
  if (req.path === '/health' || req.path === '/metrics') return next();
  sendProblem(res, {
    headers: {},
    body: {
      type: 'about:blank',
      title: 'Not found',
      status: 404,
      code: 'not_found',
      detail: 'This process runs with ROLE=worker and serves only /health and /metrics',
      request_id: requestIdOf(req),
    },
  });
}

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

  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bodyParser: false,
    rawBody: true,
    bufferLogs: true,
  });
  configureApp(app);
  if (config.ROLE === 'worker') app.use(workerOnlyRoutes);
  const server = await app.listen(config.PORT);
  // Connections idle between requests close promptly at shutdown, so in-flight requests drain.
  server.keepAliveTimeout = 5000;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  process.stdout.write(
    `${JSON.stringify({ level: 30, time: Date.now(), msg: `listening on http://localhost:${port} (docs at /docs, role ${config.ROLE})` })}\n`,
  );
}

void bootstrap();
