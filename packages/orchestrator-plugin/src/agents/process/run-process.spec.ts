import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { AgentError } from '../agent-adapter';
import { runProcess, type RunProcessOptions } from './run-process';

/** Alive and not a zombie (an orphan re-parented to a PID 1 that never reaps stays a zombie). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    if (process.platform === 'linux') return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, timeoutMs = 3_000): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

// Every pid a test saw, so a failing test leaves no sleeper behind.
const seenPids: number[] = [];
afterEach(() => {
  for (const pid of seenPids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone, as it should be.
    }
  }
});

function run(command: string, args: string[], overrides: Partial<RunProcessOptions> = {}) {
  const lines: string[] = [];
  const stderrLines: string[] = [];
  const controller = new AbortController();
  const outcome = runProcess({
    command,
    args,
    cwd: tmpdir(),
    env: process.env,
    signal: controller.signal,
    onStdoutLine: (line) => {
      lines.push(line);
      if (/^\d+$/.test(line)) seenPids.push(Number(line));
    },
    onStderrLine: (line) => stderrLines.push(line),
    ...overrides,
  });
  return { outcome, lines, stderrLines, controller };
}

const node = process.execPath;

describe('runProcess', () => {
  it.each<[string, string, { stdout: string; lines: string[] }]>([
    [
      'lines, each once, without their line ends',
      'process.stdout.write("one\\ntwo\\r\\nthree\\n")',
      { stdout: 'one\ntwo\r\nthree\n', lines: ['one', 'two', 'three'] },
    ],
    ['a last line without a newline', 'process.stdout.write("a\\nlast")', { stdout: 'a\nlast', lines: ['a', 'last'] }],
    ['empty lines are not events', 'process.stdout.write("a\\n\\n\\nb\\n")', { stdout: 'a\n\n\nb\n', lines: ['a', 'b'] }],
    [
      'a line split across writes arrives whole',
      'process.stdout.write("hal"); setTimeout(() => process.stdout.write("f\\n"), 30)',
      { stdout: 'half\n', lines: ['half'] },
    ],
  ])('streams stdout: %s', async (_name, script, expected) => {
    const { outcome, lines } = run(node, ['-e', script]);
    await expect(outcome).resolves.toMatchObject({ exitCode: 0, signal: null, aborted: false, stdout: expected.stdout });
    expect(lines).toEqual(expected.lines);
  });

  it('streams lines while the process still runs', async () => {
    const { outcome, lines, controller } = run(node, ['-e', 'console.log("first"); setInterval(() => {}, 1000)']);
    expect(await waitUntil(() => lines.includes('first'))).toBe(true);
    controller.abort();
    await expect(outcome).resolves.toMatchObject({ aborted: true });
  });

  it.each<[string, string | undefined, string]>([
    ['delivers stdin and closes it', 'the prompt\nline 2', 'the prompt\nline 2'],
    ['delivers an empty stdin and closes it', '', ''],
    ['without stdin, stdin is closed at once (no hang)', undefined, ''],
  ])('%s', async (_name, stdin, expected) => {
    const { outcome } = run(node, ['-e', 'let text = ""; process.stdin.on("data", (c) => (text += c)).on("end", () => process.stdout.write(text))'], { stdin });
    await expect(outcome).resolves.toMatchObject({ exitCode: 0, stdout: expected });
  });

  it('runs in cwd with the given env', async () => {
    const { outcome } = run(node, ['-e', 'console.log(process.cwd() + "|" + process.env.AGENT_TEST_VALUE)'], {
      cwd: '/',
      env: { ...process.env, AGENT_TEST_VALUE: 'from-env' },
    });
    await expect(outcome).resolves.toMatchObject({ stdout: '/|from-env\n' });
  });

  it.each<[string, string[], { exitCode: number | null; signal: string | null; stderrTail: string }]>([
    ['an exit code, never a rejection', ['-e', 'console.error("bad thing"); process.exit(3)'], { exitCode: 3, signal: null, stderrTail: 'bad thing' }],
    ['death by a signal of its own', ['-e', 'process.kill(process.pid, "SIGKILL")'], { exitCode: null, signal: 'SIGKILL', stderrTail: '' }],
    [
      'only the last 40 stderr lines',
      ['-e', 'for (let i = 1; i <= 100; i++) console.error("line " + i)'],
      { exitCode: 0, signal: null, stderrTail: Array.from({ length: 40 }, (_, i) => `line ${i + 61}`).join('\n') },
    ],
  ])('%s', async (_name, args, expected) => {
    await expect(run(node, args).outcome).resolves.toMatchObject({ ...expected, aborted: false });
  });

  it('reports a last stderr line without a newline like the others', async () => {
    const { outcome, stderrLines } = run(node, ['-e', 'process.stderr.write("first\\nlast")']);
    await expect(outcome).resolves.toMatchObject({ stderrTail: 'first\nlast' });
    expect(stderrLines).toEqual(['first', 'last']);
  });

  it('a missing command rejects with a non-retryable AgentError naming it', async () => {
    const error = (await run('definitely-not-a-command-4711', []).outcome.catch((caught: unknown) => caught)) as AgentError;
    expect(error).toBeInstanceOf(AgentError);
    expect(error.isRetryable).toBe(false);
    expect(error.message).toMatch(/^could not start definitely-not-a-command-4711: .*ENOENT/);
  });

  it('an abort stops the whole process group, grandchildren included', async () => {
    const { outcome, lines, controller } = run('sh', ['-c', 'sleep 100 & echo $!; echo $$; wait']);
    expect(await waitUntil(() => lines.length === 2)).toBe(true);
    const [grandchild, shell] = lines.map(Number);
    expect(isAlive(grandchild) && isAlive(shell)).toBe(true);
    controller.abort();
    await expect(outcome).resolves.toMatchObject({ aborted: true, exitCode: null, signal: 'SIGTERM' });
    expect(await waitUntil(() => !isAlive(grandchild) && !isAlive(shell))).toBe(true);
  });

  it('an already aborted signal stops the process at once', async () => {
    const controller = new AbortController();
    controller.abort();
    const started = Date.now();
    const { outcome } = run(node, ['-e', 'setInterval(() => {}, 1000)'], { signal: controller.signal });
    await expect(outcome).resolves.toMatchObject({ aborted: true });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('a process that ignores SIGTERM is killed with SIGKILL after killGraceMs', async () => {
    const { outcome, lines, controller } = run(
      node,
      ['-e', 'process.on("SIGTERM", () => console.log("ignored")); console.log("ready"); setInterval(() => {}, 1000)'],
      { killGraceMs: 300 },
    );
    expect(await waitUntil(() => lines.includes('ready'))).toBe(true);
    const started = Date.now();
    controller.abort();
    await expect(outcome).resolves.toMatchObject({ aborted: true, signal: 'SIGKILL' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(lines).toContain('ignored');
  });

  it('a grandchild that ignores SIGTERM is killed after killGraceMs even when its parent already died', async () => {
    const { outcome, lines, controller } = run('sh', ['-c', '(trap "" TERM; exec sleep 100) & echo $!; wait'], { killGraceMs: 200 });
    expect(await waitUntil(() => lines.length === 1)).toBe(true);
    controller.abort();
    await expect(outcome).resolves.toMatchObject({ aborted: true });
    expect(await waitUntil(() => !isAlive(Number(lines[0])))).toBe(true);
  }, 10_000);

  it('more than ten at once stay within the exit-listener limit (no leak warning), and give it back', async () => {
    const limit = process.getMaxListeners();
    const listeners = process.listenerCount('exit');
    const runs = Array.from({ length: 12 }, () => run('sleep', ['0.1']).outcome);
    expect(process.listenerCount('exit')).toBe(listeners + 12);
    expect(process.listenerCount('exit')).toBeLessThanOrEqual(process.getMaxListeners());
    await Promise.all(runs);
    expect(process.listenerCount('exit')).toBe(listeners);
    expect(process.getMaxListeners()).toBe(limit);
  });

  it.each<[string, string]>([
    ['one that closed its output', 'sleep 100 > /dev/null 2>&1 & echo $!'],
    ['one that still holds stdout (no hang until it exits)', 'sleep 100 & echo $!'],
  ])(
    'a normal exit stops what the process left running in its group: %s',
    async (_name, script) => {
      const { outcome, lines } = run('sh', ['-c', script]);
      await expect(outcome).resolves.toMatchObject({ exitCode: 0, aborted: false });
      expect(await waitUntil(() => !isAlive(Number(lines[0])))).toBe(true);
    },
    10_000,
  );
});
