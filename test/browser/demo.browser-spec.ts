import { createProduct } from '../support/inventory-fixtures';
import { createCustomer } from '../support/test-app';
import { credit } from '../support/wallet-fixtures';
import { type BrowserHarness, useBrowser } from './support/browser';

/** Waits until the element's text matches, and returns it. */
async function textOf(h: BrowserHarness, testId: string, pattern: RegExp, timeout = 20000): Promise<string> {
  const locator = h.page.getByTestId(testId);
  const deadline = Date.now() + timeout;
  let text = '';
  while (Date.now() < deadline) {
    text = (await locator.textContent()) ?? '';
    if (pattern.test(text)) return text;
    await h.page.waitForTimeout(100);
  }
  throw new Error(`${testId} never matched ${pattern}; it says "${text}"`);
}

describe('the /demo page in Chromium (browser)', () => {
  const browser = useBrowser();

  it('shows a replay, exact counts of 20 concurrent debits and of 50 buyers on stock 10, without console errors', () =>
    browser.run('demo', async () => {
      const h = browser.get();
      const customer = await createCustomer(h.t, 'Demo customer');
      const wallet = await h.t
        .http()
        .post('/api/wallets')
        .set('Authorization', `Bearer ${customer.key}`)
        .send({ currency: 'USD' })
        .expect(201);
      await credit(h.t, wallet.body.id, 1050);
      const product = await createProduct(h.t, 10, { name: 'Demo sneakers' });

      await h.page.goto(`${h.base}/demo/#key=${customer.key}&wallet=${wallet.body.id}&product=${product.id}`);
      // The key leaves the address bar at once.
      expect(h.page.url()).toBe(`${h.base}/demo/`);
      await textOf(h, 'balance', /^1,050$/);

      // A debit, then the same request again: replayed, the balance unchanged.
      await h.page.fill('#debit-amount', '50');
      await h.page.click('#debit');
      await textOf(h, 'debit-result', /Debited 50: balance 1,050 → 1,000/);
      await h.page.click('#debit-retry');
      await textOf(h, 'debit-result', /Replayed \(idempotent-replayed: true\).*balance unchanged at 1,000/);
      await textOf(h, 'balance', /^1,000$/);

      // 20 concurrent debits of 100 on 1000: min(20, floor(1000 / 100)) = 10.
      await h.page.fill('#race-n', '20');
      await h.page.fill('#race-amount', '100');
      await h.page.click('#debit-race');
      const debits = await textOf(h, 'debit-race-result', /predicts/);
      expect(debits).toContain(
        '10 succeeded, 10 refused (insufficient_funds), 0 other; arithmetic predicts 10.',
      );
      await textOf(h, 'balance', /^0$/);

      // 50 buyers for 10 units.
      await h.page.fill('#buyers', '50');
      await h.page.click('#race');
      const race = await textOf(h, 'race-result', /granted/);
      expect(race).toContain('10 granted, 40 refused; 10 were available. Nothing oversold.');
      await textOf(h, 'available', /^0$/);
      expect(await h.page.getByTestId('reserved').textContent()).toBe('10');
      expect(await h.page.getByTestId('sold').textContent()).toBe('0');

      // The provider panel: which handler got which adapter, and a search with its offers.
      await textOf(h, 'binding', /FlightBookingHandler was injected with the Amadeus adapter/);
      await h.page.click('#flight-form button');
      await textOf(h, 'offers', /Amadeus: .+ EUR/);
      await h.screenshot('demo-desktop');

      // At a phone's width the page still lays out (checked by eye from the screenshot when it fails).
      await h.page.setViewportSize({ width: 375, height: 800 });
      await h.screenshot('demo-phone');
      expect(h.errors).toEqual([]);
    }));
});
