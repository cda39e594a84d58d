import { AUTHORIZATION_EXPIRY_QUEUE } from '../../src/modules/wallet/wallet.tokens';
import type { INestApplication, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { APP_OPTIONS, configureApp, createHttpAdapter } from '../../src/app.setup';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { BookingSweeper } from '../../src/modules/booking/infrastructure/booking.sweeper';
import {
  EventRelaySweeper,
  EventRetentionSweeper,
  WebhookDeliverySweeper,
} from '../../src/modules/event/infrastructure/event.sweepers';
import { HOLD_EXPIRY_QUEUE } from '../../src/modules/inventory/inventory.tokens';
import { ORDER_EXPIRY_QUEUE } from '../../src/modules/order/order.tokens';
import { CLOCK } from '../../src/shared/domain/clock';
import { deadlineSweeperToken } from '../../src/shared/queue/bull-deadline';
import { openApiContract } from './openapi-contract';
import { TestClock } from './test-clock';

export const ADMIN_KEY = () => process.env.ADMIN_API_KEY as string;

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** The app's clock (CLOCK): still until the test advances it. */
  clock: TestClock;
  /** A supertest client whose every answer is checked against the committed openapi.json. */
  http: () => ReturnType<typeof request>;
  close: () => Promise<void>;
}

export interface TestAppOptions {
  /** Settings that differ from the run's environment (for example a short HOLD_TTL_SECONDS). */
  config?: Partial<AppConfig>;
  /** Extra controllers or providers a test needs around the real application. */
  controllers?: Type<unknown>[];
  providers?: Type<unknown>[];
  /** Providers of the application bound to something else (a resolver the test controls, for one). */
  overrides?: Array<[token: string | symbol | Type<unknown>, value: unknown]>;
  /**
   * Whether the periodic sweepers (holds, orders, bookings) run. Off by default, so that nothing
   * expires or is queued again behind a test's back; a test about sweeping turns them on, or calls
   * the sweep it is about.
   */
  sweepers?: boolean;
}

/**
 * The providers of the periodic sweepers: the deadline sweepers (by token), the bookings', and the
 * event relay, webhook delivery and event retention sweepers.
 */
export const SWEEPERS: Array<Type<unknown> | string> = [
  deadlineSweeperToken(HOLD_EXPIRY_QUEUE),
  deadlineSweeperToken(ORDER_EXPIRY_QUEUE),
  deadlineSweeperToken(AUTHORIZATION_EXPIRY_QUEUE),
  BookingSweeper,
  EventRelaySweeper,
  WebhookDeliverySweeper,
  EventRetentionSweeper,
];

/** The real application, configured exactly as main.ts does, on the run's database and Redis. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = Object.assign(loadConfig(), options.config);
  const clock = new TestClock();
  const builder = Test.createTestingModule({
    imports: [AppModule],
    controllers: options.controllers ?? [],
    providers: options.providers ?? [],
  })
    .overrideProvider(AppConfig)
    .useValue(config)
    .overrideProvider(CLOCK)
    .useValue(clock);
  if (!options.sweepers) for (const sweeper of SWEEPERS) builder.overrideProvider(sweeper).useValue({});
  for (const [token, value] of options.overrides ?? []) builder.overrideProvider(token).useValue(value);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(config), APP_OPTIONS);
  configureApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const contract = await openApiContract();
  return {
    app,
    config,
    clock,
    http: () => contract.wrap(request(app.getHttpServer())),
    close: () => app.close(),
  };
}

export async function createCustomer(
  app: TestApp | INestApplication,
  name = 'Customer',
): Promise<{ id: string; key: string }> {
  const http = 'http' in app ? app.http() : (await openApiContract()).wrap(request(app.getHttpServer()));
  const res = await http
    .post('/api/accounts')
    .set('Authorization', `Bearer ${ADMIN_KEY()}`)
    .send({ name })
    .expect(201);
  return { id: res.body.id, key: res.body.api_key };
}
