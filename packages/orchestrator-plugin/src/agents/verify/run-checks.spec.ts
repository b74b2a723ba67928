import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseVerifyCheck, type VerifyCheck, type VerifyCheckValues } from '../../task-spec/verify-check';
import { checkEnvironment, runChecks, type RunChecksRequest } from './run-checks';

const REPO_NODE_MODULES = resolve(__dirname, '../../../../../node_modules');

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function folder(files: Record<string, string | object> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'run-checks-'));
  folders.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

function checks(...written: string[]): VerifyCheck[] {
  return written.map((entry) => {
    const parsed = parseVerifyCheck(entry);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.check;
  });
}

function request(cwd: string, overrides: Partial<RunChecksRequest> = {}): RunChecksRequest {
  const values: VerifyCheckValues = { project: 'api', projectRoot: 'apps/api', workspaceRoot: cwd, task: 'write-api' };
  return { checks: [], values, cwd, isolated: false, signal: new AbortController().signal, ...overrides };
}

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('runChecks', () => {
  it('runs every check, in order, in the given folder, and reports each with its output', async () => {
    const cwd = folder({ 'apps/api/ok.txt': 'fine' });
    const lines: string[] = [];
    const results = await runChecks(
      request(cwd, {
        checks: checks('cat {projectRoot}/ok.txt', 'echo "expected 2, got 1" >&2; exit 3', 'echo last ran'),
        log: (line) => lines.push(line),
      }),
    );
    expect(results.map(({ check, passed, exitCode, output }) => ({ check, passed, exitCode, output }))).toEqual([
      { check: 'cat {projectRoot}/ok.txt', passed: true, exitCode: 0, output: 'fine' },
      { check: 'echo "expected 2, got 1" >&2; exit 3', passed: false, exitCode: 3, output: 'expected 2, got 1' },
      { check: 'echo last ran', passed: true, exitCode: 0, output: 'last ran' },
    ]);
    expect(results[0].command).toBe("cat 'apps/api'/ok.txt");
    expect(lines).toContain('verify 2/3: failed (exit 3) in ' + (results[1].durationMs / 1000).toFixed(1) + 's');
  });

  it('trims a long output to the token cap, keeping its end', async () => {
    const [result] = await runChecks(request(folder(), { checks: checks('seq 1 100000; echo FAILED: 1 test; exit 1'), maxOutputTokens: 500 }));
    expect(result.passed).toBe(false);
    expect(result.output.length).toBeLessThanOrEqual(500 * 4 + 50);
    expect(result.output.startsWith('1\n2\n3\n')).toBe(true);
    expect(result.output.endsWith('100000\nFAILED: 1 test')).toBe(true);
    expect(result.omittedLines).toBeGreaterThan(99_000);
  });

  it('stops a check and everything it started when the task is stopped, and runs no further check', async () => {
    const cwd = folder();
    const controller = new AbortController();
    const pending = runChecks(request(cwd, { checks: checks('sleep 60 & echo $! > sleeper.pid; wait', 'touch second-ran'), signal: controller.signal }));
    let pid = 0;
    for (let waited = 0; !pid && waited < 10_000; waited += 50) {
      await new Promise((done) => setTimeout(done, 50));
      try {
        pid = Number(readFileSync(join(cwd, 'sleeper.pid'), 'utf8'));
      } catch {
        // Not yet written.
      }
    }
    expect(isAlive(pid)).toBe(true);
    controller.abort();
    const results = await pending;
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ passed: false, stopped: true });
    for (let waited = 0; isAlive(pid) && waited < 5_000; waited += 50) await new Promise((done) => setTimeout(done, 50));
    expect(isAlive(pid)).toBe(false);
    expect(() => readFileSync(join(cwd, 'second-ran'))).toThrow();
  });

  it('reports a command that cannot start as a failed check', async () => {
    const [result] = await runChecks(request(folder(), { checks: checks('definitely-not-a-command-xyz --flag') }));
    expect(result).toMatchObject({ passed: false, exitCode: 127 });
    expect(result.output).toMatch(/not found/);
  });

  it('runs an Nx target with the workspace nx, without the outer task variables, and fails with its output', async () => {
    const cwd = folder({
      'package.json': { name: 'checks-ws', private: true },
      'nx.json': { analytics: false },
      'apps/api/project.json': {
        name: 'api',
        targets: {
          test: { command: "node -e \"console.log('TERM=' + (process.env.NX_TASK_TARGET_PROJECT === 'api')); process.exit(process.env.BREAK ? 1 : 0)\"" },
        },
      },
    });
    symlinkSync(REPO_NODE_MODULES, join(cwd, 'node_modules'));
    const outer = { ...process.env, NX_TERMINAL_OUTPUT_PATH: join(cwd, 'outer-task-output.txt'), NX_TASK_HASH: '123', NX_DAEMON: 'false' };
    const [passing] = await runChecks(request(cwd, { checks: checks('nx:{project}:test --skip-nx-cache'), env: outer }));
    expect(passing.command).toBe('nx run api:test --skip-nx-cache');
    expect(passing.passed).toBe(true);
    expect(passing.output).toContain('TERM=true');
    const [failing] = await runChecks(request(cwd, { checks: checks('nx:api:test --skip-nx-cache'), env: { ...outer, BREAK: '1' } }));
    expect(failing.passed).toBe(false);
    expect(failing.output).toMatch(/Running target test for project api failed|failed/i);
    expect(() => readFileSync(join(cwd, 'outer-task-output.txt'))).toThrow();
  }, 60_000);
});

describe('checkEnvironment', () => {
  it('drops the outer task variables, turns colour off, and keeps the daemon out of a worktree', () => {
    const base = { PATH: '/bin', NX_TASK_HASH: '1', NX_TERMINAL_OUTPUT_PATH: '/x', NX_INVOCATION_ANCESTOR_PIDS: '12', NX_WORKSPACE_ROOT: '/main' };
    expect(checkEnvironment(base, '/wt', false)).toEqual({ PATH: '/bin', NX_INVOCATION_ANCESTOR_PIDS: '12', NX_TUI: 'false', NO_COLOR: '1', FORCE_COLOR: '0' });
    expect(checkEnvironment(base, '/wt', true)).toMatchObject({ NX_DAEMON: 'false', NX_WORKSPACE_ROOT: '/wt' });
  });
});
