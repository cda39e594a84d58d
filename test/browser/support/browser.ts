import { mkdirSync } from 'fs';
import { join } from 'path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createTestApp, type TestApp, type TestAppOptions } from '../../support/test-app';

/** Debian's Chromium; `.ci/run` installs it when missing. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'artifacts');

export interface BrowserHarness {
  t: TestApp;
  base: string;
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  /**
   * What the Content-Security-Policy blocked (reported by the page and by Chromium's console), and
   * pages served without one. `run` fails the test when there is any.
   */
  cspViolations: string[];
  /** Saves a screenshot under test/browser/artifacts/ (kept out of git). */
  screenshot: (name: string) => Promise<string>;
  close: () => Promise<void>;
}

/**
 * The real application listening on a random port, and a headless Chromium page that records its
 * console errors, in a fresh profile of its own. Flags keep Chromium off the network: the machine may
 * have none beyond loopback.
 */
export async function openBrowser(options: TestAppOptions = {}): Promise<BrowserHarness> {
  const t = await createTestApp(options);
  await t.app.listen(0, '127.0.0.1');
  const address = t.app.getHttpServer().address() as { port: number };
  const base = `http://127.0.0.1:${address.port}`;
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } catch (error) {
    await t.close();
    throw new Error(
      `Chromium did not start from ${CHROMIUM} (apt-get install chromium): ${(error as Error).message}`,
      { cause: error },
    );
  }
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    // Chromium reports every 4xx answer of fetch() as a console error; a refusal the page handles
    // (409 insufficient_stock, 422 insufficient_funds) is an expected outcome, not a page error.
    const text = message.text();
    if (
      message.type() === 'error' &&
      !/^Failed to load resource: the server responded with a status of 4\d\d/.test(text)
    ) {
      errors.push(text);
    }
  });
  page.on('pageerror', (error) => errors.push(error.message));
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (/Content[ -]Security[ -]Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  // Added by the browser, not by the page, so the policy does not apply to this script itself.
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) => console.error(
      'Content Security Policy violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') +
      ' at ' + e.sourceFile + ':' + e.lineNumber));`,
  });
  page.on('response', (response) => {
    if (response.request().resourceType() === 'document' && !response.headers()['content-security-policy']) {
      cspViolations.push(`${response.url()} was served without a Content-Security-Policy`);
    }
  });
  return {
    t,
    base,
    page,
    errors,
    cspViolations,
    screenshot: async (name) => {
      mkdirSync(ARTIFACTS, { recursive: true });
      const path = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    close: async () => {
      await browser.close();
      await t.close();
    },
  };
}

/**
 * The harness for a describe block: the app and Chromium start before its tests and stop after them.
 * `run` saves a screenshot of the page when the test body fails.
 */
export function useBrowser(): {
  get: () => BrowserHarness;
  run: (name: string, body: () => Promise<void>) => Promise<void>;
} {
  let harness: BrowserHarness | undefined;
  beforeAll(async () => {
    harness = await openBrowser();
  });
  afterAll(() => harness?.close());
  const get = () => {
    if (!harness) throw new Error('the browser harness did not start');
    return harness;
  };
  return {
    get,
    run: async (name, body) => {
      try {
        await body();
        expect(get().cspViolations).toEqual([]);
      } catch (error) {
        await harness?.screenshot(`${name}-failure`).catch(() => undefined);
        // A blocked script or style breaks the page in ways whose symptom says little: name the cause.
        const violations = harness?.cspViolations ?? [];
        if (violations.length > 0) {
          throw new Error(`The Content-Security-Policy blocked the page:\n${violations.join('\n')}`, {
            cause: error,
          });
        }
        throw error;
      }
    },
  };
}
