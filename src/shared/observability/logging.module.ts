import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../../config/app-config';
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

/**
 * JSON logs; API keys, webhook signatures and the text or parameters of failed SQL are never
 * logged. Request lines come from requestLogHook (shared/http/request-log.ts).
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
