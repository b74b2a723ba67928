import type { ProcessTable } from '../../limits/process-identity';
import { nestedRunCommand, parentNxArguments, passedOptions, runNested } from './nested-run';

describe('passedOptions', () => {
  it.each([
    [['node', 'nx.js', 'run-many', '-t', 'agent'], ['--outputStyle=stream']],
    [
      ['nx', 'run-many', '-t', 'agent', '--parallel=4', '--output-style=static'],
      ['--parallel=4', '--outputStyle=static'],
    ],
    [
      ['nx', 'run-many', '--parallel', '6', '--outputStyle', 'tui'],
      ['--parallel=6', '--outputStyle=stream'],
    ],
    [
      ['nx', 'run-many', '--maxParallel=2'],
      ['--parallel=2', '--outputStyle=stream'],
    ],
    [
      ['nx', 'run-many', '--parallel=false'],
      ['--parallel=false', '--outputStyle=stream'],
    ],
    [
      ['nx', 'run', 'shop:agent', '--skip-nx-cache', '--skipRemoteCache', '--verbose', '--batch', '--nx-bail'],
      ['--skipNxCache', '--skipRemoteCache', '--verbose', '--batch', '--nxBail', '--outputStyle=stream'],
    ],
    [['nx', 'run-many', '--skip-nx-cache=false', '--parallel=lots', '--projects=shop'], ['--outputStyle=stream']],
  ])('%j -> %j', (argv, expected) => expect(passedOptions(argv)).toEqual(expected));
});

describe('nestedRunCommand', () => {
  const env: NodeJS.ProcessEnv = {
    PATH: '/usr/bin',
    NX_AGENT_RUN_ID: 'run-7',
    NX_CACHE_DIRECTORY: '/cache',
    NX_DAEMON: 'true',
    NX_TUI: 'true',
    NX_TASK_TARGET_PROJECT: 'shop',
    NX_TASK_TARGET_TARGET: 'agent--plan',
    NX_TASK_HASH: '123',
    NX_FORKED_TASK_EXECUTOR: 'true',
    NX_TERMINAL_OUTPUT_PATH: '/out',
    NX_STREAM_OUTPUT: 'true',
    NX_PREFIX_OUTPUT: 'true',
    NX_INVOCATION_ANCESTOR_PIDS: '41',
    NX_AGENTS_STAND_IN: '["outer:agent--plan"]',
  };
  const command = nestedRunCommand({
    nxBin: '/ws/node_modules/nx/bin/nx.js',
    target: 'shop--plan:agent',
    analysisTaskId: 'shop:agent--plan',
    parentArguments: ['nx', 'run-many', '-t', 'agent', '--parallel=3'],
    env,
  });

  it('runs the produced project with the parent options, as argv', () => {
    expect(command.args).toEqual(['/ws/node_modules/nx/bin/nx.js', 'run', 'shop--plan:agent', '--parallel=3', '--outputStyle=stream']);
  });

  it("keeps the user's environment and the run id, drops what Nx set for this one task, adds this analysis to the stand-in list", () => {
    expect(command.env).toEqual({
      PATH: '/usr/bin',
      NX_AGENT_RUN_ID: 'run-7',
      NX_CACHE_DIRECTORY: '/cache',
      NX_DAEMON: 'false',
      NX_TUI: 'false',
      NX_AGENTS_STAND_IN: '["outer:agent--plan","shop:agent--plan"]',
    });
    expect(env.NX_TASK_HASH).toBe('123');
  });
});

describe('parentNxArguments', () => {
  const table = (procs: Record<string, string>): ProcessTable => ({ readProc: (path: string) => procs[path] }) as unknown as ProcessTable;

  it("reads the parent's command line", () => {
    expect(parentNxArguments(table({ '/proc/10/cmdline': 'node\0/ws/nx.js\0run-many\0--parallel=2\0' }), 10)).toEqual([
      'node',
      '/ws/nx.js',
      'run-many',
      '--parallel=2',
    ]);
  });

  it("goes past Nx's per-task wrapper to the nx process above it", () => {
    const procs = {
      '/proc/10/cmdline': 'node\0/ws/node_modules/nx/dist/src/tasks-runner/fork.js\0',
      '/proc/10/stat': '10 (node (x)) S 7 10 10',
      '/proc/7/cmdline': 'node\0/ws/nx.js\0run\0shop:agent\0',
    };
    expect(parentNxArguments(table(procs), 10)).toEqual(['node', '/ws/nx.js', 'run', 'shop:agent']);
  });

  it('is empty where the process table cannot be read', () => {
    expect(parentNxArguments(table({}), 10)).toEqual([]);
  });
});

describe('runNested', () => {
  it("gives the child's output line by line and says whether it succeeded", async () => {
    const lines: string[] = [];
    const script = "process.stdout.write('one\\ntw'); setTimeout(() => { process.stdout.write('o\\n'); process.stderr.write('err'); process.exit(3); }, 20);";
    const result = await runNested({
      workspaceRoot: process.cwd(),
      args: ['-e', script],
      env: process.env,
      signal: new AbortController().signal,
      log: (line) => lines.push(line),
    });
    expect(result).toEqual({ success: false, exitCode: 3, signal: null });
    expect(lines).toEqual(['one', 'two', 'err']);
  });

  it('stops the child when the run is aborted', async () => {
    const abort = new AbortController();
    const lines: string[] = [];
    const running = runNested({
      workspaceRoot: process.cwd(),
      args: ['-e', "console.log('started'); setInterval(() => {}, 1000);"],
      env: process.env,
      signal: abort.signal,
      log: (line) => {
        lines.push(line);
        abort.abort();
      },
    });
    const result = await running;
    expect(result.success).toBe(false);
    expect(result.signal).toBe('SIGTERM');
  });
});
