import type { Queue } from 'bull';
import type * as RoleChecks from '../support/role-checks';
import type * as TestAppModule from '../support/test-app';
import type * as Fixtures from '../support/inventory-fixtures';

// Which consumers a process runs is decided from ROLE when its modules load: set it before the
// application is first required in this file (each test file has a module registry of its own).
process.env.ROLE = 'api';
/* eslint-disable @typescript-eslint/no-require-imports */
const { getQueueToken } = require('@nestjs/bull') as typeof import('@nestjs/bull');
const { HOLD_EXPIRY_QUEUE, holdExpiryJobId } =
  require('../../src/modules/inventory/inventory.tokens') as typeof import('../../src/modules/inventory/inventory.tokens');
const { QUEUES, queueHandlers, sweepersOf } = require('../support/role-checks') as typeof RoleChecks;
const { createCustomer, createTestApp } = require('../support/test-app') as typeof TestAppModule;
const { createProduct, eventually, placeHold } = require('../support/inventory-fixtures') as typeof Fixtures;
/* eslint-enable @typescript-eslint/no-require-imports */

describe('a ROLE=api process (e2e)', () => {
  let t: TestAppModule.TestApp;

  beforeAll(async () => {
    // Sweepers allowed: whatever runs here runs because the api role wired it.
    t = await createTestApp({ config: { ROLE: 'api' }, sweepers: true });
  });
  afterAll(() => t.close());

  it('runs no queue processor and no sweeper', () => {
    expect(queueHandlers(t)).toEqual(Object.fromEntries(QUEUES.map((name) => [name, []])));
    expect(sweepersOf(t)).toEqual([]);
  });

  it('still enqueues: a hold gets its delayed expiry job, for a worker to take', async () => {
    const customer = await createCustomer(t, 'Api role');
    const product = await createProduct(t, 1);
    const hold = (await placeHold(t, customer.key, product.id, 1).expect(201)).body;
    const queue = t.app.get<Queue>(getQueueToken(HOLD_EXPIRY_QUEUE), { strict: false });
    // The enqueue runs after the commit and is not awaited by the request.
    const job = await eventually(
      () => queue.getJob(holdExpiryJobId(hold.id)),
      (found) => found !== null,
      2000,
    );
    expect(job?.data).toEqual({ ids: [hold.id] });
    expect(await job?.getState()).toBe('delayed');
  });

  it('serves the API and its documentation', async () => {
    await t.http().get('/health').expect(200);
    await t.http().get('/docs-json').expect(200);
  });
});
