import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');

// ESLint loads its config with a dynamic import, which jest's module sandbox refuses: lint in a real node process, all cases at once.
const LINT_SCRIPT = `
import { ESLint } from 'eslint';
const cases = JSON.parse(process.argv[1]);
const eslint = new ESLint({ cwd: process.cwd() });
const out = [];
for (const [file, source] of cases) {
  const [result] = await eslint.lintText(source, { filePath: file });
  out.push(result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message));
}
console.log(JSON.stringify(out));
`;

const FORBIDDEN: Array<[string, string]> = [
  ['task-spec/x.ts', "import { buildAgentGraph } from '../graph/agent-graph';"],
  ['task-spec/x.ts', "import type { ExecutorContext } from '@nx/devkit';"],
  ['graph/x.ts', "import { createAgent } from '../agents/create-agent';"],
  ['graph/x.ts', "import agentExecutor from '../executors/agent/executor';"],
  ['graph/x.ts', "import { readRunRecord } from '../runs/run-record';"],
  ['graph/x.ts', "import { readNxJson } from 'nx/src/config/nx-json';"],
  ['agents/x.ts', "import { logger } from '@nx/devkit';"],
  ['agents/providers/x.ts', "import agentExecutor from '../../executors/agent/executor';"],
  ['agents/x.ts', "import { createNodes } from '../plugins/plugin';"],
  ['runs/x.ts', "import { logger } from '@nx/devkit';"],
  ['plugins/x.ts', "import { createAgent } from '../agents/create-agent';"],
  ['plan/x.ts', "import { runAgentTask } from '../agents/run-agent-task';"],
  ['plan/x.ts', "import agentExecutor from '../executors/agent/executor';"],
  ['limits/x.ts', "import { workspaceDataDirectory } from 'nx/src/utils/cache-directory';"],
  ['limits/x.ts', "import { resolveTaskRun } from '../graph/resolve-task-run';"],
  ['limits/x.ts', "import agentExecutor from '../executors/agent/executor';"],
  ['limits/x.ts', "import { createAgent } from '../agents/create-agent';"],
  ['graph/x.ts', "import { RunLimits } from '../limits/task-limits';"],
  ['task-spec/x.ts', "import { collectPlan } from '../plan/collect-plan';"],
  ['agents/x.ts', "import { RunLimits } from '../limits/task-limits';"],
  ['cli/x.ts', "import { createAgent } from '../agents/create-agent';"],
];
const ALLOWED: Array<[string, string]> = [
  ['graph/x.ts', "import { runRecordFolder } from '../runs/run-folders';"],
  ['runs/x.ts', "import type { PostTasksExecution } from '@nx/devkit';"],
  ['agents/x.ts', "import type { ResolvedTaskRun } from '../task-spec/resolved-task-run';"],
  ['executors/agent/x.ts', "import { runAgentTask } from '../../agents/run-agent-task';"],
  ['plugins/x.ts', "import { buildAgentGraph } from '../graph/agent-graph';"],
  ['plan/x.ts', "import { priceTokens } from '../agents/pricing';"],
  ['plan/x.ts', "import { selectTasksForProjects } from 'nx/src/tasks-runner/run-command';"],
  ['limits/x.ts', "import { safeSegment } from '../task-spec/path-safety';"],
  ['executors/agent/x.ts', "import { RunLimits } from '../../limits/task-limits';"],
  ['cli/x.ts', "import { runPlanCommand } from '../plan/plan-command';"],
  ['agents/x.ts', "import { abortableSleep } from '../limits/abortable-sleep';"],
];

/** The layer arrows of the README hold by lint: each wrong arrow below is an error, each right one is not. */
describe('the import-boundary lint rules', () => {
  let messages: string[][];
  beforeAll(() => {
    const cases = [...FORBIDDEN, ...ALLOWED].map(([file, source]) => [resolve(REPO_ROOT, 'packages/orchestrator-plugin/src', file), `${source}\nexport {};\n`]);
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', LINT_SCRIPT, JSON.stringify(cases)], { cwd: REPO_ROOT, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`eslint failed: ${result.stderr}`);
    messages = JSON.parse(result.stdout) as string[][];
  });

  it.each(FORBIDDEN.map((entry, index) => [...entry, index] as const))('%s may not: %s', (_file, _source, index) => expect(messages[index]).toHaveLength(1));
  it.each(ALLOWED.map((entry, index) => [...entry, FORBIDDEN.length + index] as const))('%s may: %s', (_file, _source, index) =>
    expect(messages[index]).toEqual([]),
  );
});
