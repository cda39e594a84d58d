import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const modules = readdirSync(new URL('./src/modules', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** A module reaches another only through the application services it exports. */
const otherModulesInternals = (module) => ({
  regex: `^(\\.\\./)+(?!${module}/)[a-z-]+/(infrastructure|api)(/|$)`,
  message: `Another module's infrastructure/ and api/ are its own: call the application service it exports.`,
});

/** Modules another one must not know (DESIGN.md, Layout): Payment may call Order, never the reverse. */
const unknownModules = { order: ['payment'] };
const notKnown = (module) =>
  (unknownModules[module] ?? []).map((other) => ({
    regex: `^(\\.\\./)+${other}/`,
    message: `The ${module} module knows nothing of the ${other} module (DESIGN.md, Layout).`,
  }));

const domainRules = {
  group: ['@nestjs/*', 'typeorm', 'class-validator', 'class-transformer', 'fastify', 'ioredis', 'bull', 'pg'],
  message: 'domain/ is plain TypeScript: no framework, ORM, validation or transport imports.',
};
const noSharedHttp = {
  regex: '(^|/)shared/http(/|$)',
  message: 'domain/ must not depend on the HTTP layer; shared/domain holds the kernel types.',
};
/**
 * The folders of src/shared, lowest first. A folder imports only from the folders before it, so shared/
 * has no import cycle: the kernel types and the clock, Redis, the metrics registry and logs, the database,
 * the HTTP layer, queues, idempotency (over HTTP calls and queue jobs alike), and on top the operations
 * endpoints (/health, /metrics). A new folder must take its place here.
 */
const sharedLayers = [
  'domain',
  'time',
  'redis',
  'observability',
  'database',
  'http',
  'queue',
  'idempotency',
  'operations',
];
const sharedFolders = readdirSync(new URL('./src/shared', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const unplaced = sharedFolders.filter((folder) => !sharedLayers.includes(folder));
if (unplaced.length > 0) {
  throw new Error(`eslint.config.mjs: place src/shared/${unplaced.join(', ')} in sharedLayers`);
}
/** The folders of src/shared above `folder`, which it must not import. */
const noHigherShared = (folder) => {
  const lower = sharedLayers.slice(0, sharedLayers.indexOf(folder));
  const higher = sharedLayers.slice(sharedLayers.indexOf(folder) + 1);
  const allowed =
    lower.length > 0
      ? `imports only these shared/ folders: ${lower.join(', ')}`
      : 'imports no other shared/ folder';
  return {
    regex: `^(\\.\\./)+(shared/)?(${higher.join('|')})(/|$)`,
    message: `shared/${folder} ${allowed} (the order is sharedLayers in eslint.config.mjs).`,
  };
};
/** What else a shared/ folder must not import, beside the folders above it. */
const sharedFolderRules = { domain: [domainRules, noSharedHttp] };
const noInfrastructure = {
  regex: '(^|/)infrastructure(/|$)',
  message: 'application/ depends on ports (interfaces with tokens), never on infrastructure/.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The scripts behind npm start, seed, reset and bench: CommonJS run by Node as they are.
    files: ['scripts/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Layer rules. Each directory lists every pattern that applies to it, since a later
  // no-restricted-imports setting replaces an earlier one rather than adding to it.
  ...modules.flatMap((module) => [
    {
      files: [`src/modules/${module}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          { patterns: [otherModulesInternals(module), ...notKnown(module)] },
        ],
      },
    },
    {
      files: [`src/modules/${module}/application/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          { patterns: [otherModulesInternals(module), ...notKnown(module), noInfrastructure] },
        ],
      },
    },
    {
      files: [`src/modules/${module}/domain/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              otherModulesInternals(module),
              ...notKnown(module),
              noInfrastructure,
              domainRules,
              noSharedHttp,
            ],
          },
        ],
      },
    },
  ]),
  {
    // Pay and refund answer with the order's own representation; a copy of it in the payment
    // module would be a second source of the same contract (and rename it in the OpenAPI document).
    files: ['src/modules/payment/api/order-payments.controller.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              ...otherModulesInternals('payment'),
              regex:
                '^(\\.\\./)+(?!payment/|order/api/dto/order\\.response$)[a-z-]+/(infrastructure|api)(/|$)',
            },
          ],
        },
      ],
    },
  },
  {
    // @nestjs/bull's @Process drops the promise of the queue's process(), which rejects when the
    // queue closes with Redis down: an unhandled rejection. processJobs handles it.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "Decorator > CallExpression[callee.name='Process']",
          message: 'Register job handlers with processJobs (src/shared/queue/process-jobs.ts), not @Process.',
        },
        // A request's idempotency (and any other per-request state) is a parameter the controller hands
        // to its use case, never ambient state a transaction finds on its own (DESIGN.md, Idempotency).
        {
          selector: "ImportDeclaration[source.value=/^(node:)?async_hooks$/]",
          message:
            'No ambient request state: pass the IdempotentRequest (@IdempotentRequestOf) to the use case as a parameter.',
        },
        {
          selector: "CallExpression[callee.property.name=/^(getStore|enterWith)$/]",
          message:
            'No ambient request state: pass the IdempotentRequest (@IdempotentRequestOf) to the use case as a parameter.',
        },
      ],
    },
  },
  ...sharedLayers
    .filter((folder) => folder !== sharedLayers.at(-1))
    .map((folder) => ({
      files: [`src/shared/${folder}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          { patterns: [...(sharedFolderRules[folder] ?? []), noHigherShared(folder)] },
        ],
      },
    })),
);
