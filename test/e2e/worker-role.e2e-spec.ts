import { createTestApp, type TestApp } from '../support/test-app';

describe('a ROLE=worker process (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ config: { ROLE: 'worker' } });
  });
  afterAll(() => t.close());

  it('serves neither the documentation nor the demo page', async () => {
    await t.http().get('/health').expect(200);
    await t.http().get('/docs').expect(404);
    await t.http().get('/docs-json').expect(404);
    await t.http().get('/demo/').expect(404);
  });
});
