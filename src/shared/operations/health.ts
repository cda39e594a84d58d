import { Controller, Get, Inject, Module } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  TerminusModule,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import type Redis from 'ioredis';
import { domainError } from '../domain/domain-error';
import { Public } from '../http/auth';
import { ProblemDetails } from '../http/problem-details';
import { REDIS } from '../redis/redis.module';

class HealthCheckFailedError extends domainError('service_unavailable', 'Service unavailable') {
  override readonly retryAfterSeconds = 5;

  constructor(override readonly extensions: Record<string, unknown>) {
    super('A dependency is down; see checks');
  }
}

/**
 * One dependency's state, as Terminus reports it: `{ "status": "up" }` (or `down`, with a `message`),
 * with whatever the indicator measures beside it (the database ping's `responseTime`).
 */
const HEALTH_INDICATOR = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['up', 'down'] }, message: { type: 'string' } },
  additionalProperties: true,
};
const UP = { database: { status: 'up' }, redis: { status: 'up' } };

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'Readiness: PostgreSQL and Redis' })
  @ApiOkResponse({
    description: 'Both reachable',
    schema: {
      type: 'object',
      required: ['status', 'details'],
      properties: {
        status: { type: 'string', enum: ['ok'] },
        info: { type: 'object', additionalProperties: HEALTH_INDICATOR },
        error: { type: 'object', additionalProperties: HEALTH_INDICATOR },
        details: { type: 'object', additionalProperties: HEALTH_INDICATOR },
      },
      example: { status: 'ok', info: UP, error: {}, details: UP },
    },
  })
  @ApiServiceUnavailableResponse({
    description: 'A dependency is down; `checks` says which',
    type: ProblemDetails,
  })
  async check(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.db.pingCheck('database').withTimeout(1500),
        () =>
          this.indicators
            .check('redis')
            .attempt(async () => {
              await this.redis.ping();
            })
            .withTimeout(1500),
      ]);
    } catch (error) {
      const response = (error as { getResponse?: () => unknown }).getResponse?.();
      if (response && typeof response === 'object') throw new HealthCheckFailedError({ checks: response });
      throw error;
    }
  }
}

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
})
export class HealthModule {}
