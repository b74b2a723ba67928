// Lint for the plugin: typescript-eslint's recommended rules, and the layer arrows of the
// README as import rules, so a wrong arrow fails `npm test` instead of waiting for a review.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const SOURCE = 'packages/orchestrator-plugin/src';

/** Import patterns (gitignore syntax, matched against the import specifier) for the rooms a layer must not reach. */
const room = (name) => [`../${name}`, `../${name}/*`, `../../${name}`, `../../${name}/*`, `../../../${name}/*`];
const NX = { group: ['nx', 'nx/*', '@nx/*'], message: 'this layer knows no Nx' };
const NX_VALUES = { group: ['nx', 'nx/*', '@nx/*'], allowTypeImports: true, message: 'this layer may use Nx types, never Nx code' };
const forbid = (rooms, why) => ({ group: rooms.flatMap(room), message: why });

/** One layer: its files, and what it must not import. */
const layer = (folder, patterns) => ({
  files: [`${SOURCE}/${folder}/**/*.ts`],
  ignores: [`${SOURCE}/**/*.spec.ts`],
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
});

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/coverage/**', '**/.nx/**', 'packages/example-workspace/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly', Buffer: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // Tests and the test helpers load modules at a chosen moment (after setting env) with require.
    files: ['**/*.spec.ts', `${SOURCE}/testing/**/*.ts`, '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
  // task-spec: pure schema and parsers. Knows no Nx and no other room.
  layer('task-spec', [
    NX,
    forbid(
      ['graph', 'runs', 'agents', 'executors', 'plugins', 'generators', 'workspace', 'cache-server', 'limits', 'plan', 'cli', 'testing'],
      'task-spec is the bottom layer: it imports no other room',
    ),
  ]),
  // graph: pure specs + options -> targets. Only task-spec, and the record-folder names of runs.
  layer('graph', [
    NX,
    forbid(
      ['agents', 'executors', 'plugins', 'generators', 'workspace', 'cache-server', 'limits', 'plan', 'cli', 'testing'],
      'graph is pure: it imports task-spec only',
    ),
    { group: ['../runs/*', '!../runs/run-folders'], message: 'graph may only name record folders (runs/run-folders), never read or write runs' },
  ]),
  // workspace: reads workspace facts from disk for the layers above.
  layer('workspace', [
    NX,
    forbid(
      ['graph', 'runs', 'agents', 'executors', 'plugins', 'generators', 'cache-server', 'limits', 'plan', 'cli', 'testing'],
      'workspace reads files for the layers above; it imports task-spec only',
    ),
  ]),
  // runs: records, summary, the post-tasks hook.
  layer('runs', [
    NX_VALUES,
    forbid(
      ['graph', 'agents', 'executors', 'plugins', 'generators', 'cache-server', 'testing'],
      'runs knows records and summaries, not the graph, the agents or Nx code',
    ),
  ]),
  // The post-tasks hook is Nx's way into the runs room: it alone may call Nx (to read the cached project graph).
  {
    files: [`${SOURCE}/runs/post-tasks-execution.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(['graph', 'agents', 'executors', 'plugins', 'generators', 'cache-server', 'testing'], 'the hook reads records and the project graph only'),
          ],
        },
      ],
    },
  },
  // agents: one adapter per provider; never Nx, never the executors or the plugin.
  layer('agents', [
    NX,
    forbid(
      ['graph', 'executors', 'plugins', 'generators', 'workspace', 'cache-server', 'plan', 'cli', 'testing'],
      'agents never import Nx, the graph, the executors or the plugin',
    ),
    {
      group: ['../limits/*', '!../limits/abortable-sleep', '../../limits/*', '!../../limits/abortable-sleep'],
      message: 'agents may only share the abortable sleep of limits (limits/abortable-sleep); the run limits reach them as attempt hooks',
    },
  ]),
  // plan: what a run would do, from Nx's task graph, hasher and cache; the launch guard. Prices come from agents/pricing only.
  layer('plan', [
    forbid(['executors', 'plugins', 'generators', 'cache-server', 'testing'], 'the plan reads the graph Nx infers; it runs nothing'),
    { group: ['../agents/*', '!../agents/pricing'], message: 'the plan may only price tokens (agents/pricing), never run agents' },
  ]),
  // cli: the nx-agents command; it only dispatches to the rooms that own each subcommand.
  layer('cli', [
    forbid(
      ['task-spec', 'graph', 'agents', 'executors', 'plugins', 'generators', 'workspace', 'cache-server', 'testing'],
      'cli dispatches to plan and runs; it owns no logic',
    ),
  ]),
  // limits: pools, shared backoff and budgets across Nx's processes. Plain Node: no Nx, no
  // graph, no agents (the executor hands it numbers), so any layer above can use it.
  layer('limits', [
    NX,
    forbid(
      ['graph', 'runs', 'agents', 'executors', 'plugins', 'generators', 'workspace', 'cache-server', 'testing'],
      'limits share state between task processes; they import task-spec only',
    ),
  ]),
  layer('plugins', [forbid(['agents', 'executors', 'generators', 'cache-server', 'testing'], 'the plugin layer infers the graph; it never runs agents')]),
  layer('executors', [forbid(['plugins', 'generators', 'cache-server', 'testing'], 'executors are thin shells over agents, graph, runs and task-spec')]),
  layer('generators', [forbid(['agents', 'executors', 'plugins', 'runs', 'cache-server', 'testing'], 'generators write specs and nx.json; they run nothing')]),
  layer('cache-server', [
    NX,
    forbid(['task-spec', 'graph', 'runs', 'agents', 'executors', 'plugins', 'generators', 'workspace', 'testing'], 'the cache server stands alone'),
  ]),
  prettier,
);
