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

  /**
   * Try it out → Execute. `params` are the path and header fields a person types (ids, a new
   * Idempotency-Key); `ids` are the id fields of the example body, typed over its placeholders: the
   * rest of the example is sent as Swagger UI shows it.
   */
  async function execute(
    tag: string,
    id: string,
    { params = {}, ids = {} }: { params?: Record<string, string>; ids?: Record<string, string> } = {},
  ): Promise<Answer> {
    const block = await operation(tag, id);
    for (const [name, value] of Object.entries(params)) {
      await block.locator(`tr[data-param-name="${name}"] input`).fill(value);
    }
    if (Object.keys(ids).length > 0) {
      const textarea = block.locator('textarea.body-param__text');
      const example = JSON.parse(await textarea.inputValue()) as Record<string, unknown>;
      for (const field of Object.keys(ids)) expect(example).toHaveProperty(field);
      await textarea.fill(JSON.stringify({ ...example, ...ids }, null, 2));
    }
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
    'takes a new user from an admin key to a paid and partly refunded order with the examples as shown',
    () =>
      browser.run('swagger-ui', async () => {
        const h = browser.get();
        await h.page.goto(`${h.base}/docs`);
        await h.page.waitForSelector('.opblock');
        // The landing text starts with the steps of a first purchase and links the demo page.
        const intro = h.page.locator('.information-container .description');
        await expect(intro.locator('h3, p').first().textContent()).resolves.toMatch(/first purchase/i);
        await expect(intro.locator('a[href="/demo/"]').count()).resolves.toBe(1);

        // Only ids, keys and Idempotency-Keys are typed below: every body is Swagger UI's example.
        await authorize(ADMIN_KEY());
        const customer = ok(await execute('accounts', 'AccountsController_create'), 201);
        expect(customer.api_key).toMatch(/^cwk_/);
        const product = ok(await execute('products', 'ProductsController_create'), 201);

        await authorize(String(customer.api_key));
        const wallet = ok(await execute('wallets', 'WalletsController_create'), 201);
        expect(wallet).toMatchObject({ currency: product.currency, balance: 0 });

        await authorize(ADMIN_KEY());
        const credited = ok(
          await execute('wallets', 'WalletsController_credit', {
            params: { id: String(wallet.id), 'Idempotency-Key': 'newcomer-credit-1' },
          }),
          201,
        );
        expect(credited).toMatchObject({ type: 'credit', idempotency_key: 'newcomer-credit-1' });
        expect(credited.balance_after).toBeGreaterThanOrEqual(Number(product.price));

        await authorize(String(customer.api_key));
        const hold = ok(
          await execute('holds', 'HoldsController_create', { ids: { product_id: String(product.id) } }),
          201,
        );
        const order = ok(
          await execute('orders', 'OrdersController_create', { ids: { hold_id: String(hold.id) } }),
          201,
        );
        const paid = ok(
          await execute('payments', 'OrderPaymentsController_pay', {
            params: { id: String(order.id), 'Idempotency-Key': 'newcomer-pay-1' },
            ids: { wallet_id: String(wallet.id) },
          }),
          200,
        );
        expect(paid).toMatchObject({ status: 'paid', payment: { method: 'wallet', status: 'succeeded' } });
        const seen = ok(
          await execute('orders', 'OrdersController_get', { params: { id: String(order.id) } }),
          200,
        );
        expect(seen.status).toBe('paid');

        // The refund Swagger UI preselects gives part of the order back, and leaves the rest refundable.
        await authorize(ADMIN_KEY());
        const refunded = ok(
          await execute('payments', 'OrderPaymentsController_refund', {
            params: { id: String(order.id), 'Idempotency-Key': 'newcomer-refund-1' },
          }),
          200,
        );
        expect(refunded).toMatchObject({ status: 'partially_refunded' });
        expect(Number(refunded.refunded_amount)).toBeLessThan(Number(refunded.amount));

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
