import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startModelServer, writeFileConversation, type MatchableRequest, type ModelServer } from '../src/testing/model-server';
import { createTempWorkspace, type TempWorkspace } from './utils/temp-workspace';

const KEY = 'sk-ant-e2e-limits-key';
/** claude-sonnet-4 is priced at $3 per million input tokens: each task costs $0.30. */
const TASK_USAGE = { inputTokens: 100_000, outputTokens: 0 };
const TASK_COST = 0.3;

interface LimitsRecord {
  status: string;
  startedAt: string;
  endedAt: string;
  attempts: number;
  costUsd: number | null;
  error?: string;
  waits?: { slotMs: number; rateLimitMs: number };
  skipped?: { reason: string; details: string };
}

/** `count` independent tasks `t0..` of project `a`, each naming itself in its prompt (`TASK-t3`). */
function tasks(count: number, frontmatter = ''): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, index) => [
      `apps/a/tasks/t${index}.agent.md`,
      `---\nagent: coder\nretries: 3\n${frontmatter}---\nTASK-t${index}: answer in one line.\n`,
    ]),
  );
}

function workspaceWith(files: Record<string, string>, options: Record<string, unknown>, provider = 'anthropic', model = 'claude-sonnet-4-5'): TempWorkspace {
  return createTempWorkspace(
    { 'apps/a/project.json': { name: 'a' } as unknown as string, ...files },
    { analytics: false, plugins: [{ plugin: 'nx-agent-orchestrator', options: { agents: { coder: { provider, model } }, ...options } }] },
  );
}

interface RunSummaryFile {
  totals: Record<string, number>;
  tasks: Array<{ task: string; outcome: string; reason?: string }>;
  limits?: {
    rateLimits: Record<string, { rateLimits: number; cuts: number; tasksPaused: number; waitedMs: number }>;
    budget?: { limits: { costUsd?: number }; used: { costUsd: number } };
  };
}

const taskOf = (request: MatchableRequest) => /TASK-(t\d+)/.exec(request.conversation?.userTexts.join('\n') ?? '')?.[1];
const generated = (server: ModelServer) => server.requests.filter((request) => request.route === 'generate');
const record = (workspace: TempWorkspace, task: string) => workspace.readJson<LimitsRecord>(`.agent-runs/a/${task}/result.json`);

/** The most records whose run intervals overlap at one moment. */
function mostRunningAtOnce(records: LimitsRecord[]): number {
  const spans = records.map((entry) => ({ start: Date.parse(entry.startedAt), end: Date.parse(entry.endedAt) }));
  return Math.max(...spans.map((own) => spans.filter((other) => other.start <= own.start && own.start < other.end).length));
}

/** The events of the one run the workspace has had (its journal in Nx's workspace data folder). */
function runJournal(workspace: TempWorkspace): Array<{ type: string; at: number; pauseMs: number }> {
  const runs = join(workspace.root, '.nx', 'workspace-data', 'nx-agent-orchestrator', 'runs');
  const [run] = readdirSync(runs);
  return readFileSync(join(runs, run, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

function anthropicEnvironment(server: ModelServer): Record<string, string> {
  return { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: KEY, ANTHROPIC_AUTH_TOKEN: '' };
}

describe('limits across a run', () => {
  let server: ModelServer;
  afterEach(() => server?.close());

  it.each([
    ['forked', 50, []],
    ['--batch', 20, ['--batch']],
  ])('a pool of 4 holds in %s mode whatever --parallel says: %i tasks, --parallel=12', async (_mode, count, extra) => {
    // Each answer streams for about half a second, so tasks that may overlap do.
    server = await startModelServer({
      defaultText: 'done',
      turns: Array.from({ length: count }, () => ({ type: 'text' as const, text: 'done', chunkDelayMilliseconds: 80 })),
    });
    const workspace = workspaceWith(tasks(count), { concurrency: { anthropic: 4 } });
    const result = await workspace.nx(['run-many', '-t', 'agent', '--parallel=12', '--output-style=static', ...(extra as string[])], {
      env: anthropicEnvironment(server),
    });
    expect(result.code).toBe(0);
    const records = Array.from({ length: count }, (_, index) => record(workspace, `t${index}`));
    expect(records.filter((entry) => entry.status === 'succeeded')).toHaveLength(count);
    // The server's own count of requests it was answering at once, and the records' run intervals.
    expect(server.mostConcurrent).toBeLessThanOrEqual(4);
    expect(server.mostConcurrent).toBe(4);
    expect(mostRunningAtOnce(records)).toBeLessThanOrEqual(4);
    if (extra.length) {
      // The batch itself starts no fifth anthropic task: none waits in the pool.
      expect(records.filter((entry) => entry.waits)).toEqual([]);
    } else {
      // Forked tasks Nx starts beyond the pool wait for a slot, say so, and count it apart.
      expect(records.filter((entry) => (entry.waits?.slotMs ?? 0) > 0).length).toBeGreaterThan(0);
      expect(result.output).toMatch(/waiting for an anthropic slot \(4 in use/);
    }
  });

  it('a run budget of about three tasks over ten stops new work within one task, skips the rest uncached, and a raised budget runs only those', async () => {
    server = await startModelServer({
      defaultText: 'done',
      rules: [{ when: { test: () => true }, turns: Array.from({ length: 20 }, () => ({ type: 'text' as const, text: 'done', usage: TASK_USAGE })) }],
    });
    const workspace = workspaceWith(tasks(10), { budget: { cost: 1 } }, 'anthropic', 'claude-sonnet-4-5');
    const first = await workspace.nx(['run-many', '-t', 'agent', '--parallel=3', '--output-style=static'], { env: anthropicEnvironment(server) });
    expect(first.code).not.toBe(0);
    const all = Array.from({ length: 10 }, (_, index) => `t${index}`);
    const ran = all.map((task) => record(workspace, task)).filter((entry) => entry.status === 'succeeded');
    // A skipped task's record says why, and that it spent nothing.
    const skipped = all.filter((task) => record(workspace, task).status === 'skipped');
    for (const task of skipped) expect(record(workspace, task)).toMatchObject({ attempts: 0, costUsd: 0, skipped: { reason: 'budget' } });
    expect(ran.length + skipped.length).toBe(10);
    expect(ran.length).toBeGreaterThanOrEqual(2);
    const spent = ran.reduce((total, entry) => total + (entry.costUsd ?? 0), 0);
    expect(spent).toBeLessThanOrEqual(1 + TASK_COST);
    expect(spent).toBeGreaterThanOrEqual(1 - TASK_COST);
    for (const task of skipped) expect(first.output).toMatch(new RegExp(`a:${task} skipped: run budget (would be passed|spent)`));
    // The summary (printed and in summary.json) says what the budget allowed and what it skipped.
    const summary = workspace.readJson<RunSummaryFile>('.agent-runs/summary.json');
    expect(summary.totals).toMatchObject({ ran: ran.length, skipped: skipped.length, failed: 0 });
    expect(summary.tasks.filter((row) => row.reason === 'budget').map((row) => row.task)).toEqual(skipped.map((task) => `a:${task}`));
    expect(summary.limits?.budget).toMatchObject({ limits: { costUsd: 1 }, used: { costUsd: expect.closeTo(spent, 6) } });
    expect(first.output).toMatch(/run budget: \$\d\.\d{4} of \$1\.00 used, \$\d\.\d{4} left/);
    expect(first.output).toMatch(new RegExp(`skipped \\(budget\\): ${skipped.length} task\\(s\\) not started`));
    // The run report says why each was skipped, with the budget's figures.
    const report = workspace.read('.agent-runs/report.html');
    for (const task of skipped) expect(report).toMatch(new RegExp(`a:${task} \\(skipped: budget \\(run budget`));

    const before = generated(server).length;
    const second = await workspace.nx(['run-many', '-t', 'agent', '--parallel=3', '--output-style=static'], {
      env: { ...anthropicEnvironment(server), NX_AGENT_BUDGET_COST: '10' },
    });
    expect(second.code).toBe(0);
    // Only the skipped tasks ran: one request each; the three that ran were cache hits.
    expect(generated(server).length - before).toBe(skipped.length);
    const rerun = workspace.readJson('.agent-runs/summary.json');
    expect(rerun.totals).toMatchObject({ ran: skipped.length, cached: ran.length });
  });

  it('a 429 storm: every task succeeds, no request of any task falls inside a retry-after another task was given, within a stated number of requests', async () => {
    const retryAfterMs = 3_000;
    // Four storm tasks (t0-t3): their first two requests are rate limited with a retry-after, the
    // third is answered. Four busy tasks (t4-t7) are mid-conversation meanwhile: five requests
    // each (four tool calls, then the answer), each reply streaming ~300 ms. Only the shared pause
    // keeps a busy task's next request out of the storm tasks' retry-after.
    const storm = new Set(['t0', 't1', 't2', 't3']);
    const busy = ['t4', 't5', 't6', 't7'];
    const listing = { type: 'tool-call' as const, name: 'list_files', input: { path: 'apps' }, chunkDelayMilliseconds: 60 };
    server = await startModelServer({
      firstTurnsPerKey: {
        key: (request) => (storm.has(taskOf(request) ?? '') ? taskOf(request) : undefined),
        turns: [0, 1].map(() => ({ type: 'error' as const, status: 429, retryAfterSeconds: retryAfterMs / 1_000 })),
      },
      rules: busy.map((task) => ({
        when: { test: (request: MatchableRequest) => taskOf(request) === task },
        turns: [listing, listing, listing, listing, { type: 'text' as const, text: 'done', chunkDelayMilliseconds: 60 }],
      })),
      defaultText: 'done',
    });
    const workspace = workspaceWith(tasks(8), { concurrency: { anthropic: 8 } });
    const result = await workspace.nx(['run-many', '-t', 'agent', '--parallel=8', '--output-style=static'], { env: anthropicEnvironment(server) });
    expect(result.code).toBe(0);
    const records = Array.from({ length: 8 }, (_, index) => record(workspace, `t${index}`));
    // The bound: storm tasks make 3 requests (2 answered 429, 1 answered), busy tasks 5, none more:
    // 4 x 3 + 4 x 5 = 32. A rate limit costs one request and a wait, never a lost conversation.
    expect(records.map((entry) => [entry.status, entry.attempts])).toEqual([...[...storm].map(() => ['succeeded', 3]), ...busy.map(() => ['succeeded', 1])]);
    const requests = generated(server);
    expect(requests).toHaveLength(4 * 3 + 4 * 5);
    // A rate-limited task waits the full retry-after before its own next request.
    for (const task of storm) {
      const own = requests.filter((request) => taskOf(request) === task);
      for (let index = 1; index < own.length; index++) expect(own[index].receivedAt - own[index - 1].answeredAt!).toBeGreaterThanOrEqual(retryAfterMs - 50);
    }
    // Across tasks: once a task has recorded its 429 in the run's journal, no request of any task
    // arrives until the pause it recorded has passed, but for those already on their way (a grace
    // for a request that looked at the journal just before: measured from the record, not from the
    // server's answer, so a loaded machine's slow error handling does not count against it).
    const grace = 500;
    const pauses = runJournal(workspace).filter((event) => event.type === 'rate-limited');
    expect(pauses).toHaveLength(8);
    const insideAPause = requests.filter((request) =>
      pauses.some((pause) => request.receivedAt > pause.at + grace && request.receivedAt < pause.at + pause.pauseMs - 50),
    );
    expect(insideAPause.map((request) => `${taskOf(request)} at +${request.receivedAt - requests[0].receivedAt}ms`)).toEqual([]);
    // The tasks say why they wait, the records count it apart, and the summary has the figures.
    expect(result.output).toMatch(/waiting \d+(\.\d)?s: anthropic is rate limited \(seen by a:t[0-3], retry-after 3\.0s\)/);
    expect(busy.filter((task) => (record(workspace, task).waits?.rateLimitMs ?? 0) > 0).length).toBeGreaterThan(0);
    const summary = workspace.readJson<RunSummaryFile>('.agent-runs/summary.json');
    expect(summary.limits?.rateLimits.anthropic).toMatchObject({ rateLimits: 8 });
    expect(summary.limits?.rateLimits.anthropic.cuts).toBeGreaterThanOrEqual(1);
    expect(result.output).toMatch(/rate limits: anthropic answered 8 rate limit\(s\); paused/);
  });

  it("a task's maxCost reaches claude as --max-budget-usd: the CLI stops itself past it, and the task fails without a retry, saying why", async () => {
    const workspace = workspaceWith(tasks(1, 'maxCost: 0.05\n'), {}, 'claude-code', 'claude-sonnet-4-5');
    // The first reply alone costs about $0.30 at claude-sonnet-4-5's price: past the task's $0.05.
    server = await startModelServer({
      rules: [
        {
          when: { userTextIncludes: 'TASK-t0' },
          turns: writeFileConversation({
            client: 'claude-code',
            filePath: join(workspace.root, 'apps/a/out.txt'),
            content: 'hello\n',
            summary: 'Wrote apps/a/out.txt',
            toolCallUsage: { inputTokens: 100_000, outputTokens: 20 },
          }),
        },
      ],
    });
    const home = mkdtempSync(join(tmpdir(), 'limits-e2e-home-'));
    try {
      const result = await workspace.nx(['run', 'a:agent--t0', '--output-style=static'], {
        env: {
          HOME: home,
          CLAUDE_CONFIG_DIR: join(home, '.claude'),
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          ANTHROPIC_BASE_URL: server.url,
          ANTHROPIC_API_KEY: KEY,
        },
      });
      expect(result.code).not.toBe(0);
      const failed = record(workspace, 't0');
      expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
      expect(failed.error).toMatch(/claude stopped at its budget of \$0\.0500 \(the task's maxCost\) after spending \$0\.3\d+ without finishing/);
      expect(failed.costUsd).toBeGreaterThan(0.05);
      // One request: the CLI stopped itself before sending the tool's result, and it was not retried.
      expect(generated(server).filter((request) => taskOf(request) === 't0')).toHaveLength(1);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('a holder killed with SIGKILL does not block the pool: the waiting task takes its slot at once', async () => {
    // Whichever task gets the slot first hangs at the server; the other waits for the slot.
    let hung = false;
    server = await startModelServer({ rules: [{ when: { test: () => !hung && (hung = true) }, turns: [{ type: 'hang' }] }], defaultText: 'done' });
    const workspace = workspaceWith(tasks(2, 'timeout: 120s\n'), { concurrency: { anthropic: 1 } });
    const running = workspace.nx(['run-many', '-t', 'agent', '--parallel=2', '--output-style=static'], { env: anthropicEnvironment(server) });
    const pool = join(workspace.root, '.nx', 'workspace-data', 'nx-agent-orchestrator', 'pools', 'anthropic');
    const ticketsOf = () => {
      try {
        return readdirSync(pool).filter((name) => name.startsWith('ticket-'));
      } catch {
        return [];
      }
    };
    const deadline = Date.now() + 90_000;
    let holder: { pid: number; holder: string } | undefined;
    while (!holder && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const hungTask = generated(server).map(taskOf)[0];
      const tickets = ticketsOf();
      if (hungTask && tickets.length === 2) {
        holder = tickets.map((name) => JSON.parse(readFileSync(join(pool, name), 'utf8'))).find((owner) => owner.holder === `a:${hungTask}`);
      }
    }
    expect(holder).toBeDefined();
    const killedAt = Date.now();
    process.kill(holder!.pid, 'SIGKILL');
    const result = await running;
    expect(result.code).not.toBe(0);
    const waiter = holder!.holder === 'a:t0' ? 't1' : 't0';
    const next = record(workspace, waiter);
    expect(next.status).toBe('succeeded');
    // Found dead by pid and start time: far sooner than the 30 s stale timeout.
    expect(Date.parse(next.startedAt) - killedAt).toBeLessThan(10_000);
    expect(ticketsOf()).toEqual([]);
  });
});
