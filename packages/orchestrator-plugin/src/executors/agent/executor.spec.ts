import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { AGENT_EXECUTOR, type AgentTargetOptions } from '../../task-spec/agent-target';
import agentExecutor from './executor';

// The agent of the stop tests: a shell that records its pid and its child's (sleep), and
// exits 0 when told to stop, as an agent that handles SIGTERM gracefully would.
const GRACEFUL_SLEEPER = ['sh', '-c', 'trap "exit 0" TERM; sleep 30 & echo $! > agent-pids.txt; echo $$ >> agent-pids.txt; wait'];

const PLUGIN_FOLDER = resolve(__dirname, '../../..');
const SPEC = 'apps/api/agent-tasks.json';
const TASKS = {
  tasks: [
    { id: 'design', prompt: 'Design the API', script: { duration: '10ms', summary: 'designed', files: { 'design.md': '# Design\n' } } },
    { id: 'implement', prompt: 'Implement it', dependsOn: ['design'], script: { summary: 'implemented' } },
    { id: 'broken', prompt: 'Break', script: { fail: 'cannot compile' } },
    { id: 'slow', prompt: 'Take long', script: { duration: '60s' } },
    { id: 'sleeper', prompt: 'Sleep', agent: 'sleeper' },
  ],
};

let root: string;
let printed: string[];
let restoreStdout: () => void;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'agent-executor-'));
  const write = (path: string, content: string | object) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content));
  };
  write(SPEC, TASKS);
  write('apps/api/project.json', { name: 'api' });
  printed = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((text) => (printed.push(String(text)), true));
  restoreStdout = () => spy.mockRestore();
});
afterEach(() => {
  restoreStdout();
  rmSync(root, { recursive: true, force: true });
});

const targetOf = (task: string) => `agent--${task}`;
const optionsOf = (task: string, extra: Partial<AgentTargetOptions> = {}): AgentTargetOptions => ({ spec: SPEC, task, ...extra });

/** The context Nx gives the forked executor: the workspace, this project's targets, nx.json, the task graph. */
const contextFor = (task: string, taskGraph?: TaskGraph): ExecutorContext => ({
  root,
  cwd: root,
  isVerbose: false,
  projectName: 'api',
  targetName: targetOf(task),
  projectsConfigurations: {
    version: 2,
    projects: {
      api: { root: 'apps/api', targets: Object.fromEntries(TASKS.tasks.map(({ id }) => [targetOf(id), { executor: AGENT_EXECUTOR, options: optionsOf(id) }])) },
    },
  },
  nxJsonConfiguration: {
    // Registered as a local plugin by the path of its folder: the executor finds its options by where the entry resolves.
    plugins: [{ plugin: PLUGIN_FOLDER, options: { defaultAgent: 'scripted', agents: { sleeper: { provider: 'command', command: GRACEFUL_SLEEPER } } } }],
  },
  projectGraph: { nodes: {}, dependencies: {} },
  taskGraph,
});

/** The executor in a process of its own, as Nx forks it: real signals reach it there. */
const startExecutorProcess = (task: string) => {
  const testing = resolve(__dirname, '../../testing');
  const child = spawn(
    process.execPath,
    [
      '-r',
      join(testing, 'register-typescript.cjs'),
      join(testing, 'agent-executor-main.ts'),
      JSON.stringify({ options: optionsOf(task), context: contextFor(task) }),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout })),
  );
  return { child, exited };
};

const recordOf = (task: string) => JSON.parse(readFileSync(join(root, '.agent-runs', 'api', task, 'result.json'), 'utf8'));
const output = () => printed.join('');
const waitUntil = async (condition: () => boolean, what: string) => {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 500) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  // A zombie has exited and only waits to be reaped: an orphan by init, which on a loaded machine can take a while.
  try {
    return !/^State:\s*Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
};
/** The `cat` children of `parent`: an executor's tree-kill sentinel. */
const sentinelPids = (parent: number) =>
  execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(parent)], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.trim().endsWith(' cat'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));

describe('the agent executor', () => {
  it('runs the task, streams its progress, records the success and says so', async () => {
    await expect(agentExecutor(optionsOf('design'), contextFor('design'))).resolves.toEqual({ success: true });
    expect(recordOf('design')).toMatchObject({
      status: 'succeeded',
      project: 'api',
      task: 'design',
      summary: 'designed',
      filesWritten: ['apps/api/design.md'],
    });
    expect(readFileSync(join(root, 'apps/api/design.md'), 'utf8')).toBe('# Design\n');
    expect(output()).toMatch(/^api:design · agent scripted/m);
    expect(output()).toMatch(/^summary: designed$/m);
  });

  it('hands a dependent the summaries of its upstream agent tasks, from the task graph', async () => {
    await agentExecutor(optionsOf('design'), contextFor('design'));
    const taskGraph = {
      roots: ['api:agent--design'],
      tasks: {
        'api:agent--design': { id: 'api:agent--design', target: { project: 'api', target: 'agent--design' } },
        'api:agent--implement': { id: 'api:agent--implement', target: { project: 'api', target: 'agent--implement' } },
      },
      dependencies: { 'api:agent--implement': [{ id: 'api:agent--design' }], 'api:agent--design': [] },
      continuousDependencies: {},
    } as unknown as TaskGraph;
    await expect(agentExecutor(optionsOf('implement'), contextFor('implement', taskGraph))).resolves.toEqual({ success: true });
    expect(recordOf('implement')).toMatchObject({ status: 'succeeded', upstream: ['api:design'] });
  });

  it('fails a task whose agent fails, with the reason on its output and in its record', async () => {
    await expect(agentExecutor(optionsOf('broken'), contextFor('broken'))).resolves.toEqual({ success: false });
    expect(recordOf('broken')).toMatchObject({ status: 'failed', error: 'scripted failure: cannot compile' });
    expect(output()).toContain('api:broken failed: scripted failure: cannot compile');
  });

  it('fails a task the graph found invalid with the problem, and runs nothing', async () => {
    const options = optionsOf('design', { error: `${SPEC}: task "design": unknown field "promt" (did you mean "prompt"?)` });
    await expect(agentExecutor(options, contextFor('design'))).resolves.toEqual({ success: false });
    expect(output()).toContain('Invalid agent task spec, fix it and run again:\napps/api/agent-tasks.json: task "design": unknown field "promt"');
    expect(existsSync(join(root, '.agent-runs'))).toBe(false);
  });

  it('fails a task whose spec became invalid after the graph was computed, naming the problem', async () => {
    writeFileSync(join(root, SPEC), JSON.stringify({ tasks: [{ id: 'design', prompt: 'x', retries: 'many' }] }));
    await expect(agentExecutor(optionsOf('design'), contextFor('design'))).resolves.toEqual({ success: false });
    expect(output()).toMatch(/Invalid agent task spec, fix it and run again:\n.*retries/);
    expect(existsSync(join(root, '.agent-runs'))).toBe(false);
  });

  it('says clearly that the spec file is gone (the graph is older than the workspace), not ENOENT', async () => {
    rmSync(join(root, SPEC));
    await expect(agentExecutor(optionsOf('design'), contextFor('design'))).resolves.toEqual({ success: false });
    expect(output()).toContain(
      `The spec file ${SPEC} of api:agent--design is gone: the project graph is older than the workspace. Run the command again (or \`nx reset\`).`,
    );
    expect(output()).not.toContain('ENOENT');
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    '%s to the executor stops the agent: recorded as interrupted, never a success',
    async (signal) => {
      const executor = startExecutorProcess('slow');
      await waitUntil(() => existsSync(join(root, '.agent-runs', 'api', 'slow')) && sentinelPids(executor.child.pid!).length === 1, 'the run to start');
      const started = Date.now();
      executor.child.kill(signal);
      const { code, signal: killedBy, stdout } = await executor.exited;
      // The executor handled the signal (it was not killed by it) and returned a failure at once.
      expect({ code, killedBy }).toEqual({ code: 0, killedBy: null });
      expect(stdout).toMatch(/executor returned \{"success":false\}\n$/);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(recordOf('slow').status).toBe('interrupted');
    },
    60_000,
  );

  it('lets go of its signal handlers and its sentinel when it is done', async () => {
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const before = signals.map((signal) => process.listenerCount(signal));
    await agentExecutor(optionsOf('broken'), contextFor('broken'));
    expect(signals.map((signal) => process.listenerCount(signal))).toEqual(before);
    await waitUntil(() => sentinelPids(process.pid).length === 0, 'the sentinel to retire');
  });

  it('a stop whose signal reaches the sentinel only after the agent exited 0 is still no success', async () => {
    const run = agentExecutor(optionsOf('sleeper'), contextFor('sleeper'));
    const pidFile = join(root, 'agent-pids.txt');
    const agentPids = () => (existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number) : []);
    await waitUntil(() => agentPids().length === 2, 'the agent');
    // Nx signals the deepest processes first: the agent's children die, the agent exits 0,
    // and only then (a loaded machine, measured up to 72 ms later) Nx reaches the sentinel.
    const [sleepPid, shellPid] = agentPids();
    const [sentinel] = sentinelPids(process.pid);
    process.kill(sleepPid, 'SIGTERM');
    process.kill(shellPid, 'SIGTERM');
    await waitUntil(() => !alive(shellPid), 'the agent to exit');
    process.kill(sentinel, 'SIGTERM');
    await expect(run).resolves.toEqual({ success: false });
    expect(recordOf('sleeper').status).toBe('interrupted');
  });

  it('a stop that kills the agent tree leaves first (as Nx does) is not taken for a success, thanks to the sentinel', async () => {
    const run = agentExecutor(optionsOf('sleeper'), contextFor('sleeper'));
    const pidFile = join(root, 'agent-pids.txt');
    const agentPids = () => (existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number) : []);
    await waitUntil(() => agentPids().length === 2, 'the agent');
    // Leaves first (sleep and the sentinel), then the agent's shell, which exits 0 on TERM; the executor itself is never signalled.
    const [sleepPid, shellPid] = agentPids();
    process.kill(sleepPid, 'SIGTERM');
    // The sentinel starts with the executor, before the agent.
    for (const pid of sentinelPids(process.pid)) process.kill(pid, 'SIGTERM');
    process.kill(shellPid, 'SIGTERM');
    await expect(run).resolves.toEqual({ success: false });
    expect(recordOf('sleeper').status).toBe('interrupted');
    expect(agentPids().filter(alive)).toEqual([]);
  });
});
