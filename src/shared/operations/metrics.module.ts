import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Global,
  Header,
  Injectable,
  Module,
  UseGuards,
} from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '../../config/app-config';
import { bearerToken, Public, sameSecret } from '../http/auth';
import { UnauthorizedError } from '../http/http-errors';
import { HttpMetrics } from '../http/http-metrics';
import { ProblemDetails } from '../http/problem-details';
import { METRICS_TOKEN_SCHEME } from '../http/swagger';
import { MetricsRegistry } from '../observability/metrics';

/** With METRICS_TOKEN set, `/metrics` needs it as a bearer token, compared in constant time. */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.METRICS_TOKEN;
    if (expected === undefined) return true;
    const token = bearerToken(context.switchToHttp().getRequest<FastifyRequest>());
    if (token !== undefined && sameSecret(token, expected)) return true;
    throw new UnauthorizedError('Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>"');
  }
}

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly registry: MetricsRegistry) {}

  @Public()
  @UseGuards(MetricsTokenGuard)
  @Get()
  // Public, or the metrics token when METRICS_TOKEN is set: either requirement, as the deployment says.
  @ApiSecurity({})
  @ApiSecurity(METRICS_TOKEN_SCHEME)
  @ApiUnauthorizedResponse({
    description: '`unauthorized`: METRICS_TOKEN is set and the request did not send it as a bearer token',
    type: ProblemDetails,
  })
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'HTTP request counts and latency histograms by route and status, holds, orders, wallet movements and lock ' +
      'waits, idempotency outcomes, payment webhooks by type and outcome, payments, refunds, bookings, process metrics.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string' } })
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

/** `/metrics`, and the application's one MetricsRegistry, global so that every module registers its metrics there. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsRegistry, HttpMetrics],
  exports: [MetricsRegistry, HttpMetrics],
})
export class MetricsModule {}
