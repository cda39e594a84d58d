import { execFile, execFileSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';

const ROOT = join(__dirname, '..', '..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CompiledCli {
  /** The directory the CLI takes for the checkout (its `dist/` holds the build). */
  dir: string;
  run(env: NodeJS.ProcessEnv, args?: string[]): Promise<CliRun>;
  remove(): void;
}

/**
 * `npm run <script>` of a CLI is the build, then `node dist/src/cli/<name>.js`. This builds that one
 * entry point (and only what it imports) with the project's build settings into the `dist/` of a
 * directory of its own, beside the checkout's, so that it resolves node_modules as dist/ does, and
 * runs it as the script does, with only PATH and the given environment.
 */
export function compileCli(name: string): CompiledCli {
  const dir = mkdtempSync(join(ROOT, '.build-test-'));
  const tsconfig = join(dir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.build.json'),
      compilerOptions: { outDir: join(dir, 'dist'), rootDir: ROOT, incremental: false, sourceMap: false },
      include: [],
      files: [join(ROOT, 'src', 'cli', `${name}.ts`)],
    }),
  );
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig], { cwd: ROOT });
  return {
    dir,
    run: (env, args = []) =>
      new Promise((resolve) => {
        execFile(
          process.execPath,
          [join(dir, 'dist', 'src', 'cli', `${name}.js`), ...args],
          { env: { PATH: process.env.PATH, ...env } },
          (error, stdout, stderr) =>
            resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
        );
      }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
