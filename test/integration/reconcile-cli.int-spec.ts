import { execFile, execFileSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import { DataSource } from 'typeorm';
import { pay, pendingOrder } from '../support/payment-fixtures';
import { createTestApp, type TestApp } from '../support/test-app';

const ROOT = join(__dirname, '..', '..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `npm run reconcile` is the build, then `node dist/src/cli/reconcile.js`. The test builds that
 * entry point (and only what it imports) with the project's build settings into a directory of
 * its own, and runs it as the script does, against the file's database.
 */
describe('npm run reconcile (integration, the compiled CLI)', () => {
  let t: TestApp;
  let out: string;

  const reconcile = (env: NodeJS.ProcessEnv = { DATABASE_URL: process.env.DATABASE_URL }) =>
    new Promise<Run>((resolve) => {
      execFile(
        process.execPath,
        [join(out, 'src', 'cli', 'reconcile.js')],
        { env: { PATH: process.env.PATH, ...env } },
        (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    // Beside dist/, so that the build resolves node_modules as dist does.
    out = mkdtempSync(join(ROOT, '.build-test-'));
    const tsconfig = join(out, 'tsconfig.json');
    writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: join(ROOT, 'tsconfig.build.json'),
        compilerOptions: { outDir: out, rootDir: ROOT, incremental: false, sourceMap: false },
        include: [],
        files: [join(ROOT, 'src', 'cli', 'reconcile.ts')],
      }),
    );
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig], { cwd: ROOT });
    t = await createTestApp();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    rmSync(out, { recursive: true, force: true });
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

  it('exits 2 without DATABASE_URL, and 2 when the database cannot be reached', async () => {
    const unset = await reconcile({});
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/DATABASE_URL is not set/);
    const url = new URL(process.env.DATABASE_URL as string);
    url.pathname = `/${process.env.TEST_TEMPLATE_DATABASE}_missing`;
    const missing = await reconcile({ DATABASE_URL: url.toString() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^Reconciliation failed: /);
  });
});
