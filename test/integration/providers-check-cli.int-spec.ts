import { closedPort } from '../support/closed-port';
import { compileCli, type CompiledCli } from '../support/compiled-cli';
import { FakeTravelApis } from '../support/fake-travel-apis';

/**
 * `npm run providers:check` is the build, then `node dist/src/cli/providers-check.js`. The test
 * builds that entry point with the project's build settings into a directory of its own and runs it
 * as the script does: against the local stand-ins of the provider APIs (the real ones cannot be
 * reached from here), without credentials, and without a network to reach.
 */
describe('npm run providers:check (integration, the compiled CLI)', () => {
  let api: FakeTravelApis;
  let live: NodeJS.ProcessEnv;
  let cli: CompiledCli;
  const check = (env: NodeJS.ProcessEnv, ...args: string[]) => cli.run(env, args);

  beforeAll(async () => {
    cli = compileCli('providers-check');
    api = await new FakeTravelApis().start();
    live = {
      AMADEUS_BASE_URL: api.url,
      AMADEUS_CLIENT_ID: FakeTravelApis.CLIENT_ID,
      AMADEUS_CLIENT_SECRET: FakeTravelApis.CLIENT_SECRET,
      BOOKING_BASE_URL: api.url,
      BOOKING_API_TOKEN: FakeTravelApis.BOOKING_TOKEN,
      BOOKING_AFFILIATE_ID: FakeTravelApis.AFFILIATE_ID,
    };
  }, 60_000);
  afterAll(async () => {
    await api?.stop();
    cli?.remove();
  });

  it('without credentials it says so for each provider, calls nothing, and exits 2', async () => {
    const run = await check({});
    expect(run.code).toBe(2);
    expect(run.stdout.trim().split('\n')).toEqual([
      'Amadeus: not checked: AMADEUS_CLIENT_ID and AMADEUS_CLIENT_SECRET not set',
      'Booking.com: not checked: BOOKING_API_TOKEN and BOOKING_AFFILIATE_ID not set',
    ]);
    expect(api.requests).toHaveLength(0);
  });

  it('searches and prices with each provider, printing each step, and exits 0', async () => {
    const run = await check(live);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(
        /^Amadeus \(http:\/\/127\.0\.0\.1:\d+\): search JFK-LHR on \S+, 1 adult: 2 offers$/,
      ),
      expect.stringMatching(/^Amadeus .*: first offer 35534 EUR/),
      expect.stringMatching(
        /^Amadeus .*: priced at 36010 EUR .*required fields \[\["phone","date_of_birth"\]\]$/,
      ),
      expect.stringMatching(/^Booking.com .*: search PAR \S+\.\.\S+, 1 guest: 1 offers$/),
      expect.stringMatching(/^Booking.com .*: first offer 24000 EUR/),
      expect.stringMatching(/^Booking.com .*: priced at 24000 EUR .*required fields \[\["phone"\]\]$/),
    ]);
    expect(api.flightOrders).toHaveLength(0);
    expect(api.hotelOrders).toHaveLength(0);
  });

  it('with --book it books and cancels once per provider (a stand-in on this machine counts as a test environment)', async () => {
    const run = await check(live, '--book');
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toMatch(
      /Amadeus .*: booked providers-check-\S+: provider reference \S+, confirmation QVH2B1/,
    );
    expect(run.stdout).toMatch(/Amadeus .*: cancelled /);
    expect(run.stdout).toMatch(/Booking.com .*: booked providers-check-\S+: provider reference 900001/);
    expect(run.stdout).toMatch(/Booking.com .*: cancelled 900001/);
    expect(api.flightOrders.map((o) => o.deleted)).toEqual([true]);
    expect(api.hotelOrders.map((o) => o.status)).toEqual(['cancelled_by_guest']);
    expect(api.answers.filter((a) => a.status >= 400)).toEqual([]);
  });

  it('--book refuses any other host than the test environments, before a single call', async () => {
    const requests = api.requests.length;
    const run = await check({ ...live, AMADEUS_BASE_URL: 'https://api.amadeus.com' }, '--book');
    expect(run.code).toBe(2);
    expect(run.stdout.trim()).toBe(
      'Amadeus: --book refused: https://api.amadeus.com is not the test environment (https://test.api.amadeus.com)',
    );
    expect(api.requests).toHaveLength(requests);
  });

  it('a provider it cannot reach is named with the reason, and the run exits 1', async () => {
    const unreachable = `http://127.0.0.1:${await closedPort()}`;
    const run = await check({ ...live, AMADEUS_BASE_URL: unreachable, BOOKING_BASE_URL: unreachable });
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^Amadeus \(http:\/\/127\.0\.0\.1:\d+\): search failed: .*fetch failed \(.*ECONNREFUSED.*\)$/,
      ),
      expect.stringMatching(
        /^Booking.com \(http:\/\/127\.0\.0\.1:\d+\): search failed: .*fetch failed \(.*ECONNREFUSED.*\)$/,
      ),
    ]);
  });
});
