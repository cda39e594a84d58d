import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../../config/app-config';
import { PROBLEM_CODE } from '../http/problem-details.filter';

/** pino-pretty is a development dependency: only a terminal on a development install gets it. */
function prettyLogs(): boolean {
  if (!process.stdout.isTTY || process.env.NODE_ENV === 'production') return false;
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}
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
          // Readable lines for a person at a terminal (npm start); JSON lines for everything else.
          transport: prettyLogs() ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
          // The request id is set before body parsing by requestIdMiddleware; reuse it.
          genReqId: (req) => String((req as { id?: unknown }).id),
          // A refusal (4xx, with its problem code) is an answer like any other: a sold-out flash sale
          // must not flood a warn-level log with one line per buyer.
          customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
          redact: ['req.headers.authorization', 'req.headers["webhook-signature"]', 'req.headers.cookie'],
          serializers: {
            err: (error: unknown) => serializeError(error),
            req: (req: { id: string; method: string; url: string }) => ({
              id: req.id,
              method: req.method,
              url: req.url,
            }),
            res: (res: { statusCode: number; raw?: Record<symbol, unknown> }) => ({
              status: res.statusCode,
              ...(res.raw?.[PROBLEM_CODE] ? { code: res.raw[PROBLEM_CODE] } : {}),
            }),
          },
          // Mounted under a wildcard, the middleware sees `url` without its path: match the original.
          autoLogging: {
            ignore: (req) => {
              const path = ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0];
              return path === '/health' || path === '/metrics';
            },
          },
        },
        forRoutes: ['*path'],
      }),
    }),
  ],
})
export class LoggingModule {}
