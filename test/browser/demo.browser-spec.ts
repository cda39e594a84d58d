import { createProduct } from '../support/inventory-fixtures';
import { createCustomer } from '../support/test-app';
import { bearer, credit, customerWithWallet } from '../support/wallet-fixtures';
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

/** Waits until the newest event in the page's live list matches, and returns its text. */
async function newestEvent(h: BrowserHarness, pattern: RegExp, timeout = 5000): Promise<string> {
  const locator = h.page.locator('#events li').first();
  const deadline = Date.now() + timeout;
  let text = '';
  while (Date.now() < deadline) {
    text = (await locator.count()) ? ((await locator.textContent()) ?? '') : '';
    if (pattern.test(text)) return text;
    await h.page.waitForTimeout(100);
  }
  throw new Error(`the newest event never matched ${pattern}; it says "${text}"`);
}

/** The ids of the events the list shows, in its order. */
const EVENT_IDS = `Array.from(document.querySelectorAll('#events li'), (li) => li.dataset.eventId)`;

/**
 * Whatever sticks out of the viewport sideways, and any ledger amount whose text is cut. Run in the
 * page, as source: the tests compile without the DOM's types.
 */
const OVERFLOW = `(() => {
  const width = document.documentElement.clientWidth;
  const describe = (el) => el.tagName.toLowerCase() + '#' + el.id + '.' + el.className;
  return {
    scroll: document.documentElement.scrollWidth - width,
    outside: Array.from(document.querySelectorAll('body *'))
      .filter((el) => el.getClientRects().length > 0 && el.getBoundingClientRect().right > width + 0.5)
      .map(describe),
    cut: Array.from(document.querySelectorAll('#ledger td.num'))
      .filter((el) => el.scrollWidth > el.clientWidth)
      .map((el) => el.textContent),
  };
})()`;

describe('the /demo page in Chromium (browser)', () => {
  const browser = useBrowser();

  it(
    'shows money as money, a replay, exact races of debits and of distinct buyers, top-ups, orders kept over a reload, an authorization captured in part and bookings',
    () =>
      browser.run('demo', async () => {
        const h = browser.get();
        // What `npm run seed` makes: a customer with USD and EUR wallets, a bank customer, buyers, products.
        const customer = await createCustomer(h.t, 'Demo customer');
        const wallets: Record<string, string> = {};
        for (const [currency, amount] of [
          ['USD', 105000],
          ['EUR', 100000],
        ] as const) {
          const wallet = await h.t
            .http()
            .post('/api/wallets')
            .set(bearer(customer.key))
            .send({ currency })
            .expect(201);
          await credit(h.t, wallet.body.id, amount);
          wallets[currency] = wallet.body.id;
        }
        const bank = await customerWithWallet(h.t, 10_000_000);
        const buyers: string[] = [];
        for (let i = 0; i < 12; i++) buyers.push((await createCustomer(h.t, `Buyer ${i}`)).key);
        const sneakers = await createProduct(h.t, 10, { name: 'Demo sneakers' });
        const coffee = await createProduct(h.t, 5, { name: 'Coffee', price: 1999 });

        // Off localhost a page is not a secure context, and crypto.randomUUID does not exist there.
        await h.page.addInitScript({ content: 'delete Crypto.prototype.randomUUID;' });
        await h.page.setViewportSize({ width: 1280, height: 900 });
        const fragment = new URLSearchParams({
          key: customer.key,
          wallet: wallets.USD,
          product: sneakers.id,
          bank: bank.customer.key,
          bank_wallet: bank.walletId,
          buyers: buyers.join(','),
        });
        await h.page.goto(`${h.base}/demo/#${fragment}`);
        // The keys leave the address bar at once.
        expect(h.page.url()).toBe(`${h.base}/demo/`);
        await textOf(h, 'balance', /^1,050\.00 USD$/);

        // A debit, then the same request again: replayed, the balance unchanged.
        await h.page.fill('#debit-amount', '0.50');
        await h.page.click('#debit');
        await textOf(h, 'debit-result', /^Debited 0\.50 USD: balance 1,050\.00 USD → 1,049\.50 USD\.$/);
        // The live list shows the debit's event within seconds, newest first, the wallet as it left it.
        expect(await newestEvent(h, /wallet\.debited/)).toMatch(
          /^\d\d:\d\d:\d\dwallet\.debitedwallet [0-9a-f]{8}…: balance 1,049\.50 USD, held 0\.00 USD, available 1,049\.50 USD$/,
        );
        expect(await h.page.locator('#events').getAttribute('aria-live')).toBe('polite');
        await h.page.click('#debit-retry');
        await textOf(
          h,
          'debit-result',
          /Replayed \(idempotent-replayed: true\).*balance unchanged at 1,049\.50 USD/,
        );
        await textOf(h, 'ledger', /debit0\.501,049\.50/);

        // 20 concurrent debits of 100.00 on 1,049.50: min(20, floor(104950 / 10000)) = 10.
        await h.page.fill('#race-n', '20');
        await h.page.fill('#race-amount', '100.00');
        await h.page.click('#debit-race');
        const debits = await textOf(h, 'debit-race-result', /predicts/);
        expect(debits).toBe(
          '10 succeeded, 10 refused (insufficient_funds), 0 other; arithmetic predicts 10. Balance 1,049.50 USD → 49.50 USD.',
        );
        // One fresh result per action: the debit's line does not linger beside the race's.
        expect(await h.page.getByTestId('debit-result').textContent()).toBe('');

        // A top-up, by transfer from the bank customer.
        await h.page.fill('#fund-amount', '500');
        await h.page.click('#fund');
        await textOf(h, 'fund-result', /^Added 500\.00 USD by transfer: balance 49\.50 USD → 549\.50 USD\.$/);
        await textOf(h, 'balance', /^549\.50 USD$/);

        // 12 distinct buyers for 10 units.
        await h.page.fill('#buyers', '12');
        await h.page.click('#race');
        const race = await textOf(h, 'race-result', /granted/);
        expect(race).toBe('10 granted, 2 refused, 0 other; 10 were available. Nothing oversold.');
        await textOf(h, 'available', /^0$/);
        expect(await h.page.getByTestId('reserved').textContent()).toBe('10');

        // A hold, its order, a reload (the page reads both back from the API), then the payment.
        await h.page.selectOption('#product-id', coffee.id);
        await h.page.click('#hold-one');
        await textOf(h, 'holds', /^Hold .+: active, \d+ s left/);
        await h.page.click('#holds button:has-text("Order")');
        await textOf(h, 'hold-result', /^Ordered: 19\.99 USD to pay\.$/);
        await h.page.reload();
        await textOf(h, 'holds', /^Order .+: pending payment, 19\.99 USD/);
        expect(await h.page.inputValue('#product-id')).toBe(coffee.id);
        await textOf(h, 'balance', /^549\.50 USD$/);
        await h.page.click('#holds button:has-text("Pay")');
        await textOf(h, 'hold-result', /^Paid 19\.99 USD: balance 549\.50 USD → 529\.51 USD\.$/);
        await textOf(h, 'holds', /^Order .+: paid, 19\.99 USD/);

        // An authorization moves money from available to held, then a capture of part takes it.
        await textOf(h, 'held', /^0\.00 USD$/);
        await textOf(h, 'wallet-available', /^529\.51 USD$/);
        await h.page.fill('#authorize-amount', '20.00');
        await h.page.fill('#capture-amount', '12.50');
        await h.page.click('#authorize-capture');
        const captured = await textOf(h, 'authorize-result', /released/);
        expect(captured).toBe(
          'Authorized 20.00 USD (available 529.51 USD → 509.51 USD, balance unchanged), then captured 12.50 USD ' +
            'and released 7.50 USD: balance 529.51 USD → 517.01 USD, held 0.00 USD.',
        );
        await textOf(h, 'balance', /^517\.01 USD$/);
        await textOf(h, 'wallet-available', /^517\.01 USD$/);
        await textOf(h, 'ledger', /^debit \(authorization\)12\.50517\.01/);
        await textOf(h, 'events', /authorization\.captured[^:]+: captured, 12\.50 USD of 20\.00 USD/, 5000);
        await textOf(h, 'events', /order\.paid[^:]+: paid, 19\.99 USD/, 5000);
        // Each event once, however many polls and actions read it; none after the reload went missing.
        const ids = await h.page.evaluate<string[]>(EVENT_IDS);
        expect(new Set(ids).size).toBe(ids.length);

        // Bookings: the debit at once, the queued booking, its outcome; a declined one is refunded once.
        await textOf(h, 'binding', /Flights book through Amadeus, hotels through Booking\.com/);
        await h.page.click('#flight-form button');
        await textOf(h, 'offers', /Amadeus: [\d,]+\.\d\d EUR/);
        await h.page.click('#offers li:first-child button');
        const booked = await textOf(h, 'booking-result', /confirmed it|refused it|booking is /);
        expect(booked).toMatch(
          /^Debited [\d,]+\.\d\d EUR from the EUR wallet; the provider confirmed it: \S+\.$/,
        );
        await h.page.selectOption('#traveler', 'Decline');
        await h.page.click('#offers li:first-child button');
        const declined = await textOf(h, 'booking-result', /confirmed it|refused it|booking is /);
        const debited = /^Debited ([\d,]+\.\d\d EUR)/.exec(declined)?.[1];
        expect(declined).toMatch(
          new RegExp(
            `^Debited ${debited} from the EUR wallet; the provider refused it \\(.+\\): refunded ${debited}, once\\.$`,
          ),
        );

        for (const [name, width] of [
          ['demo-desktop', 1280],
          ['demo-phone', 375],
        ] as const) {
          await h.page.setViewportSize({ width, height: 900 });
          await h.page.waitForTimeout(100);
          await h.screenshot(name);
          expect({ width, ...(await h.page.evaluate<object>(OVERFLOW)) }).toEqual({
            width,
            scroll: 0,
            outside: [],
            cut: [],
          });
        }
        expect(h.errors).toEqual([]);
      }),
    120_000,
  );

  it('says where a top-up comes from when the page has no bank account', () =>
    browser.run('demo-no-bank', async () => {
      const h = browser.get();
      const customer = await customerWithWallet(h.t, 1000);
      // A tab of its own: the first test's keys stay in that tab's sessionStorage.
      const context = await h.page.context().browser()!.newContext();
      const page = await context.newPage();
      await page.goto(`${h.base}/demo/#key=${customer.customer.key}&wallet=${customer.walletId}`);
      await page.getByTestId('balance').filter({ hasText: '10.00 USD' }).waitFor();
      expect(await page.locator('#fund').isDisabled()).toBe(true);
      expect(await page.locator('#fund').getAttribute('title')).toMatch(/npm run seed/);
      expect(await page.locator('#race').isDisabled()).toBe(true);
      expect(await page.locator('#buyers-note').textContent()).toMatch(/No buyers/);
      await context.close();
    }));

  it('keeps the live events list going when a read of the events fails, each event once', () =>
    browser.run('demo-events-retry', async () => {
      const h = browser.get();
      const customer = await customerWithWallet(h.t, 1000);
      const context = await h.page.context().browser()!.newContext();
      const page = await context.newPage();
      await page.goto(`${h.base}/demo/#key=${customer.customer.key}&wallet=${customer.walletId}`);
      const events = page.getByTestId('events');
      // The wallet's funding, as the list reads it with this key.
      await events.filter({ hasText: /wallet\.credited.*balance 10\.00 USD/ }).waitFor({ timeout: 5000 });

      // The network drops every read of the events: the list says so and keeps what it showed.
      await page.route('**/api/events?*', (route) => route.abort('failed'));
      await page
        .getByTestId('events-error')
        .filter({ hasText: /^Could not read the events/ })
        .waitFor();
      expect(await page.locator('#events li').count()).toBe(1);
      // A debit meanwhile: once the reads come back, its event shows, and the error line goes.
      await page.fill('#debit-amount', '2.50');
      await page.click('#debit');
      await page
        .getByTestId('debit-result')
        .filter({ hasText: /^Debited 2\.50 USD/ })
        .waitFor();
      await page.unroute('**/api/events?*');
      await page
        .locator('#events li')
        .first()
        .filter({ hasText: /wallet\.debited.*balance 7\.50 USD/ })
        .waitFor({ timeout: 5000 });
      expect(await page.getByTestId('events-error').textContent()).toBe('');
      const ids = await page.evaluate<string[]>(EVENT_IDS);
      expect(ids).toHaveLength(2);
      expect(new Set(ids).size).toBe(2);
      await context.close();
    }));
});
