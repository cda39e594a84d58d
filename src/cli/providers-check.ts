import { EXIT, runProvidersCheck } from '../modules/provider/infrastructure/providers-check';

/**
 * `npm run providers:check [-- --book]`: checks the live provider credentials of the environment
 * (see runProvidersCheck). Exits 0 when every step passed, 1 when one failed (the provider refused,
 * or could not be reached), 2 when nothing could be checked as configured.
 */
runProvidersCheck(process.env, process.argv.slice(2), (line) => console.log(line))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    console.error(`Providers check failed: ${(error as Error).message}`);
    process.exitCode = EXIT.notChecked;
  });
