import { execFile } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';
import { ADMIN_KEY, createTestApp, type TestApp } from '../support/test-app';

const README = join(__dirname, '..', '..', 'README.md');

/** The shell block of the README between its first-purchase markers, exactly as a reader copies it. */
function purchaseBlock(): string {
  const text = readFileSync(README, 'utf8');
  const match = /<!-- first-purchase:begin -->\s*```sh\n([\s\S]*?)```\s*<!-- first-purchase:end -->/.exec(
    text,
  );
  if (!match) throw new Error('README.md has no first-purchase block between its markers');
  return match[1];
}

describe("the README's curl purchase (e2e)", () => {
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(() => t.close());

  it('runs as written, in bash, to a paid order', async () => {
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        'bash',
        ['-c', purchaseBlock()],
        // What the block's first lines name: the service and its admin key.
        { env: { PATH: process.env.PATH, BASE: base, ADMIN: ADMIN_KEY() } },
        (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    const [credited, paid] = output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(credited).toMatchObject({ type: 'credit', amount: 5000, balance_after: 5000 });
    expect(paid).toMatchObject({
      status: 'paid',
      amount: 1999,
      currency: 'USD',
      payment: { method: 'wallet', status: 'succeeded', amount: 1999 },
    });
    const wallet = await t
      .http()
      .get(`/api/wallets/${credited.wallet_id}`)
      .set('Authorization', `Bearer ${ADMIN_KEY()}`)
      .expect(200);
    expect(wallet.body.balance).toBe(5000 - 1999);
  });
});
