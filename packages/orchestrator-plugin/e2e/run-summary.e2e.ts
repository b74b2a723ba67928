import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processesIn } from './utils/processes';
import { createTempWorkspace, nxEnvironment, runCommand, type CommandResult, type TempWorkspace } from './utils/temp-workspace';

const TASKS = {
  tasks: [
    { id: 'design', prompt: 'Design it', script: { duration: '100ms', summary: 'designed' } },
    { id: 'build', prompt: 'Build it', dependsOn: ['design'], script: { duration: '100ms', summary: 'built' } },
  ],
};
const TITLE = 'Agent run summary (.agent-runs/summary.json)';
const RUN_MANY = ['run-many', '-t', 'agent'];

const newWorkspace = () => createTempWorkspace({ 'apps/app/project.json': { name: 'app' }, 'apps/app/agent-tasks.json': TASKS });

/** `nx-agents` as installed with the plugin (npx nx-agents). */
const nxAgents = (workspace: TempWorkspace, args: string[], env: Record<string, string> = {}): Promise<CommandResult> =>
  runCommand(
    process.execPath,
    [join(workspace.root, 'node_modules/nx-agent-orchestrator/dist/cli/nx-agents.js'), ...args],
    workspace.root,
    nxEnvironment(workspace.root, env),
  );

const occurrences = (text: string, part: string) => text.split(part).length - 1;

/** The table's result column per task, as printed. */
const printedResults = (output: string) =>
  Object.fromEntries([...output.matchAll(/^ {2}(app:\w+) +(ran|cached \(local\)|failed|skipped|stopped) /gm)].map((match) => [match[1], match[2]]));

/** The table is printed once, below Nx's own last lines. */
const expectSummaryLast = (output: string) => {
  expect(occurrences(output, TITLE)).toBe(1);
  expect(output.indexOf(TITLE)).toBeGreaterThan(output.lastIndexOf('Successfully ran target agent'));
};

describe('the run summary with the Nx daemon off (CI, containers)', () => {
  let workspace: TempWorkspace;
  beforeAll(() => (workspace = newWorkspace()));

  it('plain nx prints it after the run, and writes summary.json', async () => {
    const result = await workspace.nx(RUN_MANY);
    expect(result.code).toBe(0);
    expectSummaryLast(result.output);
    expect(printedResults(result.output)).toEqual({ 'app:build': 'ran', 'app:design': 'ran' });
    expect(workspace.readJson('.agent-runs/summary.json')).toMatchObject({ command: RUN_MANY, totals: { ran: 2, cached: 0 } });
  });

  it('nx-agents prints it once, not twice (the hook leaves it to the wrapper)', async () => {
    const result = await nxAgents(workspace, RUN_MANY);
    expect(result.code).toBe(0);
    expectSummaryLast(result.output);
    expect(printedResults(result.output)).toEqual({ 'app:build': 'cached (local)', 'app:design': 'cached (local)' });
  });

  it('nx-agents summary shows the last one again, as a table or as the file', async () => {
    const table = await nxAgents(workspace, ['summary']);
    expect(table.code).toBe(0);
    expect(table.stdout.startsWith(TITLE)).toBe(true);
    expect(printedResults(table.stdout)).toEqual({ 'app:build': 'cached (local)', 'app:design': 'cached (local)' });
    const json = await nxAgents(workspace, ['summary', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(workspace.readJson('.agent-runs/summary.json'));
  });

  it('nx-agents refuses what it does not pass on to nx, with its usage', async () => {
    const result = await nxAgents(workspace, ['graph']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nx-agents: unknown command "graph"');
    expect(result.stderr).toContain('nx-agents run-many -t agent [nx options]');
  });

  it('nx-agents exits as nx did, and shows no older summary for a command that ran no agent task', async () => {
    const result = await nxAgents(workspace, ['run', 'app:no-such-target']);
    expect(result.code).toBe(1);
    expect(result.output).toContain('no-such-target');
    expect(result.output).not.toContain(TITLE);
  });
});

describe('the run summary with the Nx daemon on (a developer machine)', () => {
  const DAEMON = { NX_DAEMON: 'true' };
  let workspace: TempWorkspace;
  beforeAll(() => (workspace = newWorkspace()));
  afterAll(async () => {
    await workspace.nx(['daemon', '--stop'], { env: DAEMON });
    for (let tries = 0; tries < 50 && processesIn(workspace.root).length; tries++) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(processesIn(workspace.root)).toEqual([]);
  });

  it('plain nx writes summary.json, but its table goes to the daemon log: Nx runs the hook in the daemon', async () => {
    const startedAt = Date.now();
    const result = await workspace.nx(RUN_MANY, { env: DAEMON });
    expect(result.code).toBe(0);
    expect(result.output).toContain('Successfully ran target agent');
    expect(result.output).not.toContain(TITLE);
    const summary = workspace.readJson('.agent-runs/summary.json');
    expect(summary).toMatchObject({ command: RUN_MANY, totals: { ran: 2 } });
    expect(Date.parse(summary.startedAt)).toBeGreaterThanOrEqual(startedAt);
    expect(readFileSync(join(workspace.root, '.nx/workspace-data/d/daemon.log'), 'utf8')).toContain(TITLE);
  });

  it('nx-agents prints it in the terminal, once, after Nx has finished', async () => {
    const result = await nxAgents(workspace, RUN_MANY, DAEMON);
    expect(result.code).toBe(0);
    expectSummaryLast(result.output);
    expect(printedResults(result.output)).toEqual({ 'app:build': 'cached (local)', 'app:design': 'cached (local)' });
  });

  it('nx-agents prints it below the terminal UI, after the TUI has given the terminal back', async () => {
    // A real terminal (script's pseudo-terminal, sized so Nx starts its TUI), not CI.
    const environment = nxEnvironment(workspace.root, DAEMON);
    delete environment.CI;
    delete environment.NX_TUI;
    const cli = join(workspace.root, 'node_modules/nx-agent-orchestrator/dist/cli/nx-agents.js');
    const command = `stty cols 120 rows 40; exec '${process.execPath}' '${cli}' run-many -t agent --skip-nx-cache`;
    const result = await runCommand('script', ['-qefc', command, '/dev/null'], workspace.root, environment);
    expect(result.code).toBe(0);
    const leftTui = result.stdout.lastIndexOf('\u001b[?1049l');
    expect(result.stdout.indexOf('\u001b[?1049h')).toBeGreaterThanOrEqual(0);
    expect(leftTui).toBeGreaterThan(0);
    const afterTui = result.stdout.slice(leftTui).replace(/\r/g, '');
    expect(occurrences(afterTui, TITLE)).toBe(1);
    expect(printedResults(afterTui)).toEqual({ 'app:build': 'ran', 'app:design': 'ran' });
  });
});
