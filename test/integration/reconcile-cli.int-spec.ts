import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import { DataSource } from 'typeorm';
import { randomUUID } from 'crypto';
import { compileCli, type CliRun, type CompiledCli } from '../support/compiled-cli';
import { pay, pendingOrder } from '../support/payment-fixtures';
import { createTestApp, type TestApp } from '../support/test-app';
import { authorize, customerWithWallet, settleAuthorization } from '../support/wallet-fixtures';

const ROOT = join(__dirname, '..', '..');

/**
 * `npm run reconcile` is the build, then `node dist/src/cli/reconcile.js`. The test builds that
 * entry point (and only what it imports) with the project's build settings into the dist/ of a
 * directory of its own, which the CLI takes for the checkout (where it looks for `.env` and the
 * embedded database of `npm start`), and runs it as the script does, against the file's database.
 */
describe('npm run reconcile (integration, the compiled CLI)', () => {
  let t: TestApp;
  let cli: CompiledCli;
  /** The CLI's checkout: where it looks for `.env` and the embedded database. */
  let out: string;
  const reconcile = (
    env: NodeJS.ProcessEnv = { DATABASE_URL: process.env.DATABASE_URL },
    args = ['--json'],
  ) => cli.run(env, args);

  beforeAll(async () => {
    cli = compileCli('reconcile');
    out = cli.dir;
    t = await createTestApp();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    cli?.remove();
  });

  it('exits 0 with an ok report on a consistent database, 1 naming the broken invariant once it is corrupted', async () => {
    const f = await pendingOrder(t, { balance: 5000, price: 1000, quantity: 2 });
    await pay(t, f.customer.key, f.orderId, f.walletId).expect(200);

    const ok = await reconcile();
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    const report = JSON.parse(ok.stdout);
    expect(report.ok).toBe(true);
    expect(report.checks.length).toBeGreaterThanOrEqual(9);
    expect(report.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);

    // A balance that no ledger entry explains.
    await t.app.get(DataSource).query('UPDATE wallets SET balance = balance + 1 WHERE id = $1', [f.walletId]);
    const broken = await reconcile();
    await t.app.get(DataSource).query('UPDATE wallets SET balance = balance - 1 WHERE id = $1', [f.walletId]);
    expect(broken.code).toBe(1);
    const failing = JSON.parse(broken.stdout);
    expect(failing.ok).toBe(false);
    expect(failing.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([
      {
        name: 'wallet_balance_equals_ledger',
        ok: false,
        details: [{ wallet_id: f.walletId, balance: 3001, ledger_sum: 3000 }],
      },
    ]);
  });

  it('names a corrupted authorization row: a capture that took more than the ledger says', async () => {
    const { customer, walletId } = await customerWithWallet(t, 5000);
    const created = (await authorize(t, walletId, customer.key, { amount: 3000 }).expect(201)).body;
    await settleAuthorization(t, created.id, customer.key, 'capture', { amount: 2000 }).expect(200);
    expect((await reconcile()).code).toBe(0);

    const db = t.app.get(DataSource);
    await db.query('UPDATE authorizations SET captured_amount = 2500 WHERE id = $1', [created.id]);
    const broken = await reconcile();
    await db.query('UPDATE authorizations SET captured_amount = 2000 WHERE id = $1', [created.id]);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout).checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([
      {
        name: 'authorization_captured_within_amount',
        ok: false,
        details: [
          { authorization_id: created.id, amount: 3000, captured_amount: 2500, ledger_captured: 2000 },
        ],
      },
    ]);
  });

  it('prints a line per check as it goes and a verdict; since the checkpoint, it names a corruption made after it', async () => {
    const ds = t.app.get(DataSource);
    const line = (name: string, status = 'ok  ') => new RegExp(`^${status}  ${name} +\\d+ ms$`);
    const lines = (run: CliRun) => run.stdout.trimEnd().split('\n');
    const full = await reconcile(undefined, []);
    expect([full.code, full.stderr]).toEqual([0, '']);
    const names = JSON.parse((await reconcile()).stdout).checks.map((c: { name: string }) => c.name);
    expect(lines(full)).toEqual([
      'Reconciling (full run) ...',
      ...names.map((name: string) => expect.stringMatching(line(name))),
      expect.stringMatching(
        /^Reconciliation OK: 13 checks in \d+\.\d\d s; full run; checkpoint \d+ recorded; previous checkpoint (none|under a minute old)$/,
      ),
    ]);

    // New operations after the checkpoint: a paid order and a transfer.
    const f = await pendingOrder(t, { balance: 5000, price: 1000, quantity: 1 });
    await pay(t, f.customer.key, f.orderId, f.walletId).expect(200);
    const other = await pendingOrder(t, { balance: 0, price: 1000, quantity: 1 });
    const sent = await t
      .http()
      .post('/api/transfers')
      .set('Authorization', `Bearer ${f.customer.key}`)
      .set('Idempotency-Key', randomUUID())
      .send({ from_wallet_id: f.walletId, to_wallet_id: other.walletId, amount: 300 })
      .expect(201);
    const since = await reconcile(undefined, ['--since-checkpoint']);
    expect([since.code, since.stderr]).toEqual([0, '']);
    expect(lines(since)).toEqual([
      'Reconciling (since the newest checkpoint) ...',
      ...names.map((name: string) => expect.stringMatching(line(name))),
      expect.stringMatching(
        /^Reconciliation OK: 13 checks in \d+\.\d\d s; since checkpoint \d+ \(under a minute old\)$/,
      ),
    ]);

    await ds.query('UPDATE transfers SET amount = amount + 1 WHERE id = $1', [sent.body.id]);
    try {
      const broken = await reconcile(undefined, ['--since-checkpoint']);
      expect(broken.code).toBe(1);
      expect(lines(broken)).toContainEqual(
        expect.stringMatching(line('every_transfer_moved_one_amount', 'FAIL')),
      );
      expect(lines(broken)).toContainEqual(
        `        ${JSON.stringify({ transfer_id: sent.body.id, amount: 301, debit_amount: 300, credit_amount: 300, ledger_entries: 2 })}`,
      );
      expect(lines(broken).at(-1)).toMatch(
        /^Reconciliation FAILED: 1 of 13 checks broken \(every_transfer_moved_one_amount\) in \d+\.\d\d s; since checkpoint/,
      );
      // A full run does not record a checkpoint over a broken invariant.
      const fullBroken = await reconcile(undefined, []);
      expect(fullBroken.code).toBe(1);
      expect(lines(fullBroken).at(-1)).toMatch(
        /; no checkpoint recorded; previous checkpoint under a minute old$/,
      );
    } finally {
      await ds.query('UPDATE transfers SET amount = amount - 1 WHERE id = $1', [sent.body.id]);
    }
  });

  it('takes DATABASE_URL from .env as `npm start` does, says when the embedded database is not running, exits 2 without a database', async () => {
    const unset = await reconcile({});
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/^DATABASE_URL is not set/);

    writeFileSync(join(out, '.env'), `DATABASE_URL=${process.env.DATABASE_URL}\n`);
    try {
      const fromFile = await reconcile({});
      expect([fromFile.code, fromFile.stderr, JSON.parse(fromFile.stdout).ok]).toEqual([0, '', true]);
    } finally {
      rmSync(join(out, '.env'));
    }

    // The embedded database of `npm start` has its data in .data/pg; it is not running here.
    mkdirSync(join(out, '.data', 'pg'), { recursive: true });
    mkdirSync(join(out, 'scripts'));
    for (const script of ['embedded-services.js', 'processes.js']) {
      copyFileSync(join(ROOT, 'scripts', script), join(out, 'scripts', script));
    }
    const stopped = await reconcile({});
    expect([stopped.code, stopped.stdout]).toEqual([2, '']);
    expect(stopped.stderr).toMatch(
      /the embedded PostgreSQL of \.data\/ is not running: start it with `npm start`/,
    );

    const url = new URL(process.env.DATABASE_URL as string);
    url.pathname = `/${process.env.TEST_TEMPLATE_DATABASE}_missing`;
    const missing = await reconcile({ DATABASE_URL: url.toString() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^Reconciliation failed: /);
  });
});
