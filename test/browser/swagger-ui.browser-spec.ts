import type { Locator } from 'playwright-core';
import { ADMIN_KEY } from '../support/test-app';
import { useBrowser } from './support/browser';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * The flow a newcomer follows in Swagger UI, clicking as a person would: Authorize, Try it out, the
 * example bodies as they are (only ids from earlier answers typed in), Execute. Any blocked Execute
 * or non-2xx answer fails the test.
 */
describe('Swagger UI in Chromium (browser)', () => {
  const browser = useBrowser();

  async function authorize(key: string): Promise<void> {
    const h = browser.get();
    await h.page.click('.auth-wrapper button.authorize');
    const modal = h.page.locator('.modal-ux');
    const logout = modal.locator('button:has-text("Logout")');
    if (await logout.count()) await logout.first().click();
    // The API key's form comes first; the second is METRICS_TOKEN's, for /metrics.
    await modal.locator('input#auth-bearer-value').first().fill(key);
    await modal.locator('button[type=submit]:has-text("Authorize")').first().click();
    await modal.locator('button.btn-done').first().click();
    // The pasted key lives in the page only: nothing written to storage that outlives the tab.
    const stored = await h.page.evaluate<string>('JSON.stringify({ ...localStorage })');
    expect(stored).not.toContain(key);
  }

  async function operation(tag: string, id: string): Promise<Locator> {
    const h = browser.get();
    const block = h.page.locator(`#operations-${tag}-${id}`);
    if (!(await block.locator('.opblock-body').count()))
      await block.locator('.opblock-summary').first().click();
    const tryOut = block.locator('button.try-out__btn');
    if ((await tryOut.textContent())?.includes('Try it out')) await tryOut.click();
    return block;
  }

  async function execute(
    tag: string,
    id: string,
    { params = {}, body }: { params?: Record<string, string>; body?: Record<string, unknown> } = {},
  ): Promise<Answer> {
    const block = await operation(tag, id);
    for (const [name, value] of Object.entries(params)) {
      await block.locator(`tr[data-param-name="${name}"] input`).fill(value);
    }
    if (body) await block.locator('textarea.body-param__text').fill(JSON.stringify(body));
    const before = await block.locator('.live-responses-table').count();
    expect(before).toBe(0);
    await block.locator('button.execute').click();
    const status = block.locator('.live-responses-table tr.response .response-col_status').first();
    await status.waitFor({ timeout: 10000 });
    const text =
      (await block
        .locator('.live-responses-table tr.response .response-col_description pre')
        .first()
        .textContent()) ?? '';
    const answer = {
      status: Number((await status.textContent())?.trim()),
      body: text ? JSON.parse(text) : {},
    };
    await block.locator('button.btn-clear').click();
    return answer;
  }

  const ok = (answer: Answer, status: number) => {
    expect({ status: answer.status, body: answer.body }).toEqual({ status, body: expect.anything() });
    return answer.body;
  };

  it(
    'takes a new user from an admin key to a paid order and a flight search',
    () =>
      browser.run('swagger-ui', async () => {
        const h = browser.get();
        await h.page.goto(`${h.base}/docs`);
        await h.page.waitForSelector('.opblock');

        await authorize(ADMIN_KEY());
        const customer = ok(await execute('accounts', 'AccountsController_create'), 201);
        expect(customer.api_key).toMatch(/^cwk_/);
        const product = ok(await execute('products', 'ProductsController_create'), 201);

        await authorize(String(customer.api_key));
        const wallet = ok(await execute('wallets', 'WalletsController_create'), 201);
        expect(wallet).toMatchObject({ currency: 'USD', balance: 0 });

        await authorize(ADMIN_KEY());
        const credited = ok(
          await execute('wallets', 'WalletsController_credit', {
            params: { id: String(wallet.id), 'Idempotency-Key': 'newcomer-credit-1' },
            body: { amount: 100000 },
          }),
          201,
        );
        expect(credited).toMatchObject({
          type: 'credit',
          idempotency_key: 'newcomer-credit-1',
          balance_after: 100000,
        });

        await authorize(String(customer.api_key));
        const hold = ok(
          await execute('holds', 'HoldsController_create', { body: { product_id: product.id, quantity: 1 } }),
          201,
        );
        const order = ok(
          await execute('orders', 'OrdersController_create', { body: { hold_id: hold.id } }),
          201,
        );
        const paid = ok(
          await execute('payments', 'OrderPaymentsController_pay', {
            params: { id: String(order.id), 'Idempotency-Key': 'newcomer-pay-1' },
            body: { wallet_id: wallet.id },
          }),
          200,
        );
        expect(paid).toMatchObject({ status: 'paid', payment: { method: 'wallet', status: 'succeeded' } });
        const seen = ok(
          await execute('orders', 'OrdersController_get', { params: { id: String(order.id) } }),
          200,
        );
        expect(seen.status).toBe('paid');

        const demo = ok(await execute('travel', 'ProviderDemoController_show'), 200);
        expect(demo).toMatchObject({
          contextual_binding_demo: {
            flight_handler: { injected_provider: 'Amadeus' },
            hotel_handler: { injected_provider: 'Booking.com' },
          },
        });
        const flights = ok(await execute('travel', 'OffersController_flightOffers'), 200);
        expect((flights.offers as unknown[]).length).toBeGreaterThan(0);
        expect(h.errors).toEqual([]);
      }),
    // Swagger UI renders every operation: on a busy 2-core machine the flow takes up to a minute.
    120_000,
  );
});
