import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { interval, runRecord } from './utils/run-records';
import { createTempWorkspace, nxEnvironment, type TempWorkspace } from './utils/temp-workspace';

/** A check that passes only once `answer.txt` says `fixed`, and says what is wrong otherwise. */
const CHECK = 'grep -q fixed apps/p/answer.txt || { echo "E2E-CHECK: answer.txt is still broken"; exit 3; }';

/** An `*.agent.md` with YAML frontmatter: values are written as JSON, which YAML reads as such. */
function agentMarkdown(fields: Record<string, unknown>, prompt: string): string {
  const lines = Object.entries(fields).map(([name, value]) => `${name}: ${JSON.stringify(value)}`);
  return `---\n${lines.join('\n')}\n---\n${prompt}\n`;
}

interface RecordWithScope {
  status: string;
  error?: string;
  attempts: number;
  startedAt: string;
  verification?: {
    maxAttempts: number;
    passed: boolean;
    rounds: Array<{ round: number; turn: string; passed: boolean; checks: Array<{ passed: boolean; output: string }> }>;
  };
  writeScope?: { isolation: string; inScope: string[]; outOfScope: Array<{ path: string; attribution: string }>; failsTask: boolean; patchFile?: string };
}

const record = (workspace: TempWorkspace, task: string) => workspace.readJson<RecordWithScope>(`.agent-runs/p/${task}/result.json`);
const worktrees = (workspace: TempWorkspace) =>
  workspace
    .git(['worktree', 'list', '--porcelain'])
    .split('\n')
    .filter((line) => line.startsWith('worktree '));

describe('verify gates', () => {
  let workspace: TempWorkspace;
  beforeAll(() => {
    workspace = createTempWorkspace({
      'apps/p/project.json': { name: 'p', targets: { check: { command: 'test -f apps/p/checked.txt' } } },
      'apps/p/tasks/by-target.agent.md': agentMarkdown(
        { verify: ['nx:{project}:check'], verifyAttempts: 1, outputs: ['checked.txt'], script: { files: { 'checked.txt': 'x\n' } } },
        'Write checked.txt.',
      ),
      'apps/p/tasks/fix.agent.md': agentMarkdown(
        {
          verify: [CHECK],
          outputs: ['answer.txt'],
          script: { files: { 'answer.txt': 'broken\n' }, followUps: [{ summary: 'Fixed.', files: { 'answer.txt': 'fixed\n' } }] },
        },
        'Write the answer.',
      ),
      'apps/p/tasks/never.agent.md': agentMarkdown(
        { verify: ['echo "E2E-NEVER: still failing"; exit 1'], verifyAttempts: 3, outputs: ['never.txt'], script: { files: { 'never.txt': 'x\n' } } },
        'Try forever.',
      ),
      'apps/p/tasks/after-never.agent.md': agentMarkdown({ dependsOn: ['never'], script: { summary: 'ran' } }, 'Runs after never.'),
    });
  });

  it('a check that fails goes back to the agent, whose fixed file passes on the second attempt: success, both rounds recorded', async () => {
    const result = await workspace.nx(['run', 'p:agent--fix', '--output-style=static']);
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({ code: 0, output: '' });
    expect(result.output).toContain('verify failed');
    expect(workspace.read('apps/p/answer.txt')).toBe('fixed\n');
    const fixed = record(workspace, 'fix');
    expect(fixed.attempts).toBe(2);
    expect(fixed.verification).toMatchObject({
      maxAttempts: 2,
      passed: true,
      rounds: [
        { round: 1, turn: 'first', passed: false, checks: [{ passed: false, output: 'E2E-CHECK: answer.txt is still broken' }] },
        { round: 2, turn: 'resumed', passed: true, checks: [{ passed: true }] },
      ],
    });
    // A success is cached like any other.
    const again = await workspace.nx(['run', 'p:agent--fix', '--output-style=static']);
    expect(again.output).toMatch(/local cache|existing outputs match the cache/);
  });

  it('a check can be an Nx target of the workspace, run by its own nx inside the agent task', async () => {
    const result = await workspace.nx(['run', 'p:agent--by-target', '--output-style=static']);
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({ code: 0, output: '' });
    expect(record(workspace, 'by-target').verification).toMatchObject({
      passed: true,
      rounds: [{ checks: [{ check: 'nx:{project}:check', command: 'nx run p:check', passed: true }] }],
    });
  });

  it('a check that never passes fails the task after verifyAttempts; its dependent is not run and nothing is cached', async () => {
    const result = await workspace.nx(['run', 'p:agent--after-never', '--output-style=static']);
    expect(result.code).not.toBe(0);
    const never = record(workspace, 'never');
    expect(never.status).toBe('failed');
    expect(never.error).toContain('verify failed after 3 attempts');
    expect(never.verification?.rounds.map((round) => round.passed)).toEqual([false, false, false]);
    expect(workspace.exists('.agent-runs/p/after-never/result.json')).toBe(false);
    const again = await workspace.nx(['run', 'p:agent--never', '--output-style=static']);
    expect(again.code).not.toBe(0);
    expect(again.output).not.toMatch(/local cache|existing outputs match the cache/);
    expect(Date.parse(record(workspace, 'never').startedAt)).toBeGreaterThan(Date.parse(never.startedAt));
  });
});

describe('verify in a task list another tool wrote', () => {
  it('a spec-kit task names its check in its text; a failing one fails the task after verifyAttempts', async () => {
    const workspace = createTempWorkspace({
      'specs/001-demo/tasks.md': [
        '# Tasks: Demo',
        '',
        '## Phase 1: Setup',
        '',
        '- [ ] T001 Create the notes verify: `test -f specs/001-demo/notes.md || { echo "E2E-SPEC-KIT: no notes"; exit 1; }`',
        '',
      ].join('\n'),
    });
    const projects = await workspace.nx(['show', 'projects']);
    const project = projects.stdout.split('\n').filter(Boolean)[0];
    const result = await workspace.nx(['run', `${project}:agent--T001`, '--output-style=static']);
    expect(result.code).not.toBe(0);
    const failed = workspace.readJson<RecordWithScope>(`.agent-runs/${project}/T001/result.json`);
    expect(failed.error).toContain('verify failed after 2 attempts');
    expect(failed.verification?.rounds.map((round) => round.checks[0].output)).toEqual(['E2E-SPEC-KIT: no notes', 'E2E-SPEC-KIT: no notes']);
  });
});

describe('isolation: worktree', () => {
  let workspace: TempWorkspace;
  beforeAll(() => {
    const isolated = (file: string, extra: Record<string, unknown> = {}) =>
      agentMarkdown({ isolation: 'worktree', outputs: [file], script: { duration: '2s', files: { [file]: `${file}\n` } }, ...extra }, `Write ${file}.`);
    workspace = createTempWorkspace({
      'apps/p/project.json': { name: 'p', targets: { 'check-left': { command: 'test -f apps/p/left.txt && pwd | grep -q agent-worktrees' } } },
      'README.md': 'the original readme\n',
      // Its checks run inside its worktree, before the copy-back, and see the workspace's uncommitted files.
      'apps/p/tasks/left.agent.md': isolated('left.txt', {
        verify: ['test -f apps/p/draft.txt', 'pwd | grep -q agent-worktrees', 'nx:{project}:check-left'],
        verifyAttempts: 1,
      }),
      'apps/p/tasks/right.agent.md': isolated('right.txt'),
      'apps/p/tasks/stray.agent.md': agentMarkdown(
        { isolation: 'worktree', outputs: ['stray.txt'], script: { files: { 'stray.txt': 'mine\n', '{workspaceRoot}/README.md': 'overwritten\n' } } },
        'Write stray.txt and touch the readme.',
      ),
      'apps/p/tasks/rejected.agent.md': agentMarkdown(
        {
          isolation: 'worktree',
          outputs: ['rejected.txt'],
          verify: ['echo "E2E-REJECTED"; exit 1'],
          verifyAttempts: 1,
          script: { files: { 'rejected.txt': 'no\n' } },
        },
        'Write rejected.txt.',
      ),
      'apps/p/tasks/shared.agent.md': agentMarkdown(
        { outputs: ['shared.txt'], script: { files: { 'shared.txt': 'in scope\n', '{workspaceRoot}/NOTES.md': 'out of scope\n' } } },
        'Write shared.txt and a note at the root.',
      ),
      'apps/p/tasks/slow.agent.md': agentMarkdown({ isolation: 'worktree', outputs: ['slow.txt'], script: { duration: '120s' } }, 'Take long.'),
    });
    // Uncommitted work the agent must see in its worktree.
    workspace.write('apps/p/draft.txt', 'uncommitted\n');
  });

  it('two isolated tasks in parallel writing disjoint files both land, and no worktree is left', async () => {
    const result = await workspace.nx(['run-many', '-t', 'agent--left', 'agent--right', '--parallel=2', '--output-style=static']);
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({ code: 0, output: '' });
    expect([workspace.read('apps/p/left.txt'), workspace.read('apps/p/right.txt')]).toEqual(['left.txt\n', 'right.txt\n']);
    expect(record(workspace, 'left').verification?.passed).toBe(true);
    expect(record(workspace, 'left').writeScope).toMatchObject({ isolation: 'worktree', inScope: ['apps/p/left.txt'], outOfScope: [], failsTask: false });
    expect(worktrees(workspace)).toEqual([`worktree ${workspace.root}`]);
    const [left, right] = [interval(runRecord(workspace, 'p', 'left')), interval(runRecord(workspace, 'p', 'right'))];
    expect(left.start < right.end && right.start < left.end).toBe(true);
  });

  it('a task writing outside its writes: nothing copied back, the violation in the record and the summary, the task failed', async () => {
    const result = await workspace.nx(['run', 'p:agent--stray', '--output-style=static']);
    expect(result.code).not.toBe(0);
    expect(workspace.read('README.md')).toBe('the original readme\n');
    expect(workspace.exists('apps/p/stray.txt')).toBe(false);
    const stray = record(workspace, 'stray');
    expect(stray.status).toBe('failed');
    expect(stray.writeScope).toMatchObject({ outOfScope: [{ path: 'README.md', attribution: 'isolated' }], failsTask: true });
    expect(stray.writeScope?.patchFile).toBeDefined();
    expect(result.output).toContain('changed files outside its writes: README.md');
    expect(workspace.readJson('.agent-runs/summary.json').tasks).toEqual([expect.objectContaining({ task: 'p:stray', outOfScope: ['README.md'] })]);
    expect(worktrees(workspace)).toEqual([`worktree ${workspace.root}`]);
  });

  it('a failing verify in a worktree copies nothing back, saves the changes as a patch, and leaves no worktree', async () => {
    const result = await workspace.nx(['run', 'p:agent--rejected', '--output-style=static']);
    expect(result.code).not.toBe(0);
    expect(workspace.exists('apps/p/rejected.txt')).toBe(false);
    const rejected = record(workspace, 'rejected');
    expect(rejected.status).toBe('failed');
    expect(rejected.writeScope).toMatchObject({ isolation: 'worktree', inScope: [], failsTask: false });
    expect(workspace.read('.agent-runs/p/rejected/changes.patch')).toContain('apps/p/rejected.txt');
    expect(worktrees(workspace)).toEqual([`worktree ${workspace.root}`]);
  });

  it('in the shared checkout, a change outside writes that the agent reported is attributed to it, reported, and warns by default', async () => {
    const result = await workspace.nx(['run', 'p:agent--shared', '--output-style=static']);
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({ code: 0, output: '' });
    expect(record(workspace, 'shared').writeScope).toMatchObject({
      isolation: 'shared',
      policy: 'warn',
      inScope: ['apps/p/shared.txt'],
      outOfScope: [{ path: 'NOTES.md', attribution: 'reported' }],
      failsTask: false,
    });
    expect(result.output).toContain('changed files outside its writes: NOTES.md');
  });

  it('Ctrl-C during an isolated run removes its worktree', async () => {
    const nx = spawn(process.execPath, [join(workspace.root, 'node_modules/nx/dist/bin/nx.js'), 'run', 'p:agent--slow', '--output-style=static'], {
      cwd: workspace.root,
      env: nxEnvironment(workspace.root),
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => nx.on('exit', () => resolve()));
    const deadline = Date.now() + 120_000;
    while (worktrees(workspace).length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(worktrees(workspace)).toHaveLength(2);
    nx.kill('SIGINT');
    await exited;
    expect(worktrees(workspace)).toEqual([`worktree ${workspace.root}`]);
    expect(record(workspace, 'slow').status).toBe('interrupted');
    expect(workspace.git(['branch', '--list']).trim()).toBe('* main');
  });
});
