import { type ChildProcess, execFileSync, spawn } from 'child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { freePort, postgresDataDir } = require('../../scripts/embedded-services') as {
  freePort: () => Promise<number>;
  postgresDataDir: (dir: string) => string;
};

const ROOT = join(__dirname, '..', '..');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * `npm start` is `node scripts/dev.js`. Each test runs it in a checkout of its own: a temporary copy
 * of the scripts beside links to the sources, node_modules and a dist/ built once for the file, so
 * that its `.env`, `.data/` and embedded PostgreSQL are the test's alone. The script runs in a
 * process group of its own: whatever it started and left behind is still in that group.
 */
describe('npm start (integration, the script)', () => {
  let checkout: string;
  let dist: string;

  beforeAll(() => {
    dist = mkdtempSync(join(ROOT, '.build-test-'));
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', dist],
      { cwd: ROOT },
    );
  }, 180_000);
  afterAll(() => rmSync(dist, { recursive: true, force: true }));

  beforeEach(() => {
    checkout = mkdtempSync(join(tmpdir(), 'checkout-start-'));
    mkdirSync(join(checkout, 'scripts'));
    for (const script of ['dev.js', 'embedded-services.js', 'processes.js', 'seed.js', 'reset.js'])
      copyFileSync(join(ROOT, 'scripts', script), join(checkout, 'scripts', script));
    for (const shared of ['node_modules', 'src', 'migrations', 'public', 'package.json', 'tsconfig.json'])
      symlinkSync(join(ROOT, shared), join(checkout, shared));
    copyFileSync(join(ROOT, 'tsconfig.build.json'), join(checkout, 'tsconfig.build.json'));
    symlinkSync(dist, join(checkout, 'dist'));
  });
  // A test that failed half way leaves its script running: stop its whole group, as Ctrl+C would.
  const running: Started[] = [];
  afterEach(async () => {
    for (const run of running.splice(0)) {
      if (run.child.exitCode !== null || run.child.signalCode !== null) continue;
      process.kill(-run.child.pid!, 'SIGINT');
      await run.exited;
    }
    rmSync(postgresDataDir(join(checkout, '.data', 'pg')), { recursive: true, force: true });
    rmSync(checkout, { recursive: true, force: true });
  });

  function start(args: string[], env: NodeJS.ProcessEnv = {}): Started {
    const child = spawn(process.execPath, [join(checkout, 'scripts', 'dev.js'), '--no-build', ...args], {
      cwd: checkout,
      // Only what a fresh shell has: the embedded services start unless DATABASE_URL / REDIS_URL are given.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const started = { child, output: () => output, exited };
    running.push(started);
    return started;
  }

  /** Processes still in the group the script led. */
  function survivors(group: number): string[] {
    const ps = execFileSync('ps', ['-e', '-o', 'pgid=,pid=,args='], { encoding: 'utf8' });
    return ps
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([pgid]) => Number(pgid) === group)
      .map((fields) => fields.slice(1).join(' '));
  }

  async function until(started: Started, pattern: RegExp): Promise<void> {
    while (!pattern.test(started.output())) {
      if (started.child.exitCode !== null) throw new Error(`exited early:\n${started.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('refuses the placeholder admin key of .env.example before starting anything', async () => {
    writeFileSync(join(checkout, '.env'), 'ADMIN_API_KEY=at-least-16-characters-of-secret\n');
    const run = start([]);
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/Could not start: ADMIN_API_KEY is the placeholder shown in .env.example/);
    expect(existsSync(join(checkout, '.data', 'instance.json'))).toBe(false);
  });

  it('with a bad .env, start:dev stops PostgreSQL, redis-server, tsc --watch and the service, and says why', async () => {
    writeFileSync(join(checkout, '.env'), `PORT=${await freePort()}\nHOLD_TTL_SECONDS=soon\n`);
    const run = start(['--watch']);
    const code = await run.exited;
    const lines = run.output().trim().split('\n');
    expect({ code, last: lines[lines.length - 1] }).toEqual({
      code: 1,
      last: expect.stringMatching(
        /^Could not start: the service exited with code 2: Invalid configuration: HOLD_TTL_SECONDS: .*"soon"/,
      ),
    });
    expect(run.output()).toContain('starting an embedded PostgreSQL');
    expect(run.output()).toContain('starting a local redis-server');
    expect(survivors(run.child.pid!)).toEqual([]);
    expect(existsSync(join(checkout, '.data', 'instance.json'))).toBe(false);

    // `npm run reset` forgets the embedded database, wherever it was kept, and the generated keys.
    const database = postgresDataDir(join(checkout, '.data', 'pg'));
    expect(existsSync(join(database, 'PG_VERSION'))).toBe(true);
    execFileSync(process.execPath, [join(checkout, 'scripts', 'reset.js')], { cwd: checkout });
    expect([existsSync(database), existsSync(join(checkout, '.data'))]).toEqual([false, false]);
  }, 120_000);

  it('seeds the instance that .env describes, refuses a second start, and stops cleanly on SIGINT', async () => {
    const port = await freePort();
    const adminKey = `admin-of-this-test-${process.pid}`;
    writeFileSync(join(checkout, '.env'), `PORT=${port}\nADMIN_API_KEY=${adminKey}\n`);
    const env = {
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      REDIS_KEY_PREFIX: `start-${process.pid}`,
      LOG_LEVEL: 'warn',
    };
    const first = start([], env);
    await until(first, /Press Ctrl\+C to stop/);
    expect(first.output()).toContain(`Admin API key: ${adminKey}`);

    // `npm run seed` with nothing in its environment: the port and the key come from .env.
    const seeded = execFileSync(process.execPath, [join(checkout, 'scripts', 'seed.js')], {
      cwd: checkout,
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
    });
    expect(seeded).toMatch(new RegExp(`Demo page: +http://localhost:${port}/demo/#key=cwk_`));

    const second = start([], env);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(
      `Could not start: npm start is already running in this checkout (pid ${first.child.pid}`,
    );
    expect(survivors(second.child.pid!)).toEqual([]);

    process.kill(first.child.pid!, 'SIGINT');
    expect(await first.exited).toBe(0);
    expect(survivors(first.child.pid!)).toEqual([]);
    expect(existsSync(join(checkout, '.data', 'instance.json'))).toBe(false);
  }, 120_000);
});
