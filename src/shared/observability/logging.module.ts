import { Module } from '@nestjs/common';
import type { onResponseHookHandler } from 'fastify';
import type { ServerResponse } from 'http';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import { AppConfig } from '../../config/app-config';
import { PROBLEM_CODE } from '../http/problem-details.filter';
import { serializeError } from './log-redaction';

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

const UNLOGGED = new Set(['/health', '/metrics']);

/**
 * One line per request, from a Fastify onResponse hook: the request id, method, URL, status, the
 * problem's code for a refusal, and the time taken. pino-http would do the same as Nest middleware
 * behind @fastify/middie, which cost about a tenth of the CPU of a hot request; nothing needs its
 * per-request logger context (error logs carry the request id themselves).
 */
export function requestLogHook(): onResponseHookHandler {
  return (req, reply, done) => {
    const logger = PinoLogger.root;
    const level = reply.statusCode >= 500 ? 'error' : 'info';
    if (logger?.isLevelEnabled(level) && !UNLOGGED.has(req.url.split('?')[0])) {
      const code = (reply.raw as ServerResponse & { [PROBLEM_CODE]?: string })[PROBLEM_CODE];
      logger[level](
        {
          // Not `req` / `res`: pino-http's serializers own those names and expect Node's objects.
          request: { id: req.id, method: req.method, url: req.url },
          response: code ? { status: reply.statusCode, code } : { status: reply.statusCode },
          responseTime: Math.round(reply.elapsedTime),
        },
        'request completed',
      );
    }
    done();
  };
}

/**
 * JSON logs; API keys, webhook signatures and the text or parameters of failed SQL are never
 * logged. Request lines come from requestLogHook.
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
          serializers: { err: (error: unknown) => serializeError(error) },
        },
        forRoutes: [],
      }),
    }),
  ],
})
export class LoggingModule {}
