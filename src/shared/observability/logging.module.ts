import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../../config/app-config';
import { serializeError } from './log-redaction';

/**
 * JSON logs, one line per request with its id; API keys, webhook signatures and the text or
 * parameters of failed SQL are never logged.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.LOG_LEVEL,
          // The request id is set before body parsing by requestIdMiddleware; reuse it.
          genReqId: (req) => String((req as { id?: unknown }).id),
          customLogLevel: (_req, res, error) =>
            error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
          redact: ['req.headers.authorization', 'req.headers["webhook-signature"]', 'req.headers.cookie'],
          serializers: {
            err: (error: unknown) => serializeError(error),
            req: (req: { id: string; method: string; url: string }) => ({
              id: req.id,
              method: req.method,
              url: req.url,
            }),
            res: (res: { statusCode: number }) => ({ status: res.statusCode }),
          },
          autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
        },
        forRoutes: ['*path'],
      }),
    }),
  ],
})
export class LoggingModule {}
