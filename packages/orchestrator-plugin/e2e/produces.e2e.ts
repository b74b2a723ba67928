import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startModelServer, type ModelServer } from '../src/testing/model-server';
import { writeFileConversation } from '../src/testing/model-server/write-file-conversation';
import { SLEEPING_AGENT, alive, eventually, startNxInBackground } from './utils/processes';
import { interval, runRecord } from './utils/run-records';
import { createTempWorkspace, type TempWorkspace } from './utils/temp-workspace';

/** Agent tasks restored from the cache, as `project:target`, from `--output-style=static` output. */
function cached(output: string): string[] {
  return output
    .split('\n')
    .flatMap((line) => {
      const match = /^\s*> nx run (\S+:agent--\S+)\s+\[(local cache|remote cache|existing outputs match the cache, left as is)\]/.exec(line);
      return match ? [match[1]] : [];
    })
    .sort();
}

/** When each task of the two-phase workspace last started, from its record: a re-run changes it. */
function startTimes(workspace: TempWorkspace): Record<string, string> {
  return Object.fromEntries(
    [['shop', 'plan'], ...['schema', 'api', 'ui'].map((id) => ['shop--plan', id])].map(([project, id]) => [
      `${project}:${id}`,
      runRecord(workspace, project, id).startedAt,
    ]),
  );
}

const PLAN_SUMMARY = 'PLAN-SUMMARY-5c1d: a schema first, then the API and the UI over it.';

/** The list the analysis writes: three tasks, two after the first. */
function producedList(marker = '', ids: string[] = ['schema', 'api', 'ui']): string {
  const task = (id: string, dependsOn: string[]) => ({
    id,
    prompt: `Build the ${id}${marker}.`,
    ...(dependsOn.length ? { dependsOn } : {}),
    outputs: [`src/${id}.ts`],
    script: { duration: '300ms', summary: `built the ${id}`, files: { [`src/${id}.ts`]: `// ${id}\n` } },
  });
  return `${JSON.stringify({ tasks: ids.map((id) => task(id, id === 'schema' ? [] : ['schema'])) }, null, 2)}\n`;
}

/** The analysis task's spec: it writes `plan/agent-tasks.json` as one of its scripted files. */
function analysisSpec(request: { list: string; prompt?: string }): string {
  const plan = {
    id: 'plan',
    prompt: request.prompt ?? 'Plan the feature: write the task list.',
    produces: 'plan/agent-tasks.json',
    script: { summary: PLAN_SUMMARY, files: { 'plan/agent-tasks.json': request.list } },
  };
  return `${JSON.stringify({ tasks: [plan] }, null, 2)}\n`;
}

const PRODUCED = ['shop--plan:agent--api', 'shop--plan:agent--schema', 'shop--plan:agent--ui'];

describe('produces: analysis, then the tasks it wrote, in one command', () => {
  let workspace: TempWorkspace;
  beforeAll(() => {
    workspace = createTempWorkspace({
      'apps/shop/project.json': { name: 'shop' },
      'apps/shop/agent-tasks.json': analysisSpec({ list: producedList() }),
    });
  });

  it('one run-many runs the analysis, then all produced tasks in dependency order, each given the analysis summary', async () => {
    const result = await workspace.nx(['run-many', '-t', 'agent', '--output-style=static']);
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({ code: 0, output: '' });
    const plan = runRecord(workspace, 'shop', 'plan');
    expect(plan.status).toBe('succeeded');
    const records = Object.fromEntries(['schema', 'api', 'ui'].map((id) => [id, runRecord(workspace, 'shop--plan', id)]));
    expect(Object.values(records).map((record) => record.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(interval(records.schema).start).toBeGreaterThanOrEqual(interval(plan).end);
    expect(interval(records.api).start).toBeGreaterThanOrEqual(interval(records.schema).end);
    expect(interval(records.ui).start).toBeGreaterThanOrEqual(interval(records.schema).end);
    // The produced tasks work in the analysis task's project.
    expect(workspace.read('apps/shop/src/api.ts')).toBe('// api\n');
    for (const id of ['schema', 'api', 'ui']) {
      expect(records[id].upstream).toContain('shop:plan');
      expect(workspace.read(`.agent-runs/shop--plan/${id}/transcript.jsonl`)).toContain(PLAN_SUMMARY);
    }
    expect(result.output).toContain('shop:agent--plan produced 3 tasks in apps/shop/plan/agent-tasks.json');
  });

  it('the second invocation is all cache hits, the produced tasks included', async () => {
    const before = startTimes(workspace);
    const result = await workspace.nx(['run-many', '-t', 'agent', '--output-style=static']);
    expect(result.code).toBe(0);
    expect(cached(result.output)).toEqual(['shop:agent--plan', ...PRODUCED].sort());
    expect(result.output).toContain('0 ran, 4 cached, 0 failed');
    expect(startTimes(workspace)).toEqual(before);
  });

  it('a changed analysis prompt re-runs the analysis and the list it writes; a task it dropped is said so, and run nowhere', async () => {
    const before = startTimes(workspace);
    workspace.write('apps/shop/agent-tasks.json', analysisSpec({ list: producedList(' (second plan)', ['schema', 'api']), prompt: 'Plan the feature again.' }));
    const result = await workspace.nx(['run-many', '-t', 'agent', '--output-style=static']);
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({ code: 0, output: '' });
    const after = startTimes(workspace);
    for (const task of ['shop:plan', 'shop--plan:schema', 'shop--plan:api']) expect(after[task]).not.toBe(before[task]);
    expect(workspace.read('.agent-runs/shop--plan/api/transcript.jsonl')).toContain('Build the api (second plan).');
    // The graph of this invocation was computed from the old list: its copies of the produced tasks do nothing.
    expect(result.output).toContain('shop--plan:agent--api already ran in this invocation, in the nested run of shop:agent--plan');
    expect(result.output).toContain('shop--plan:agent--ui is no longer in apps/shop/plan/agent-tasks.json');
    expect(after['shop--plan:ui']).toBe(before['shop--plan:ui']);
    const again = await workspace.nx(['run-many', '-t', 'agent', '--output-style=static']);
    expect(again.code).toBe(0);
    expect(cached(again.output)).toEqual(['shop--plan:agent--api', 'shop--plan:agent--schema', 'shop:agent--plan']);
    expect(again.output).toContain('0 ran, 3 cached, 0 failed');
  });
});

describe('produces with `nx run <project>:agent`', () => {
  it('runs the analysis and its produced tasks; the same command and run-many then find them all in the cache', async () => {
    const workspace = createTempWorkspace({
      'apps/shop/project.json': { name: 'shop' },
      'apps/shop/agent-tasks.json': analysisSpec({ list: producedList() }),
    });
    const result = await workspace.nx(['run', 'shop:agent', '--output-style=static']);
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({ code: 0, output: '' });
    for (const id of ['schema', 'api', 'ui']) expect(runRecord(workspace, 'shop--plan', id).status).toBe('succeeded');
    // The project's aggregate runs the produced project's too (by the node tag), so the same command reaches them from the cache.
    const again = await workspace.nx(['run', 'shop:agent', '--output-style=static']);
    expect(again.code).toBe(0);
    expect(cached(again.output)).toEqual(['shop:agent--plan', ...PRODUCED].sort());
    const all = await workspace.nx(['run-many', '-t', 'agent', '--output-style=static']);
    expect(all.code).toBe(0);
    expect(cached(all.output)).toEqual(['shop:agent--plan', ...PRODUCED].sort());
  });
});

describe('produces: a list that does not parse', () => {
  it('fails the analysis with the parse error and the file; nothing of the list runs', async () => {
    const workspace = createTempWorkspace({
      'apps/shop/project.json': { name: 'shop' },
      'apps/shop/agent-tasks.json': analysisSpec({ list: '{ "tasks": [ { "id": "schema", "prompt": "Build the schema." }\n' }),
    });
    const result = await workspace.nx(['run-many', '-t', 'agent', '--output-style=static']);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('the task list shop:agent--plan wrote does not parse, so none of it runs:');
    expect(result.output).toMatch(/apps\/shop\/plan\/agent-tasks\.json:\d+: /);
    const plan = workspace.readJson<{ status: string; error: string; produced?: unknown }>('.agent-runs/shop/plan/result.json');
    expect(plan.status).toBe('failed');
    expect(plan.error).toContain('apps/shop/plan/agent-tasks.json');
    expect(plan.produced).toBeUndefined();
    expect(workspace.exists('.agent-runs/shop--plan')).toBe(false);
  });
});

describe('produces with the daemon on', () => {
  let workspace: TempWorkspace;
  afterAll(async () => {
    await workspace?.nx(['daemon', '--stop'], { env: { NX_DAEMON: 'true' } });
  });

  it('runs the analysis and its list in one command, and the second is all cache hits', async () => {
    workspace = createTempWorkspace({
      'apps/shop/project.json': { name: 'shop' },
      'apps/shop/agent-tasks.json': analysisSpec({ list: producedList() }),
    });
    const env = { NX_DAEMON: 'true' };
    const first = await workspace.nx(['run-many', '-t', 'agent', '--output-style=static'], { env });
    expect({ code: first.code, output: first.code === 0 ? '' : first.output }).toEqual({ code: 0, output: '' });
    for (const id of ['schema', 'api', 'ui']) expect(runRecord(workspace, 'shop--plan', id).status).toBe('succeeded');
    const second = await workspace.nx(['run-many', '-t', 'agent', '--output-style=static'], { env });
    expect(second.code).toBe(0);
    expect(cached(second.output)).toEqual(['shop:agent--plan', ...PRODUCED].sort());
  });
});

describe('produces with a real agent: claude-code writes the list against the scripted model server', () => {
  let workspace: TempWorkspace;
  let models: ModelServer;
  let home: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    const analysis = {
      tasks: [
        {
          id: 'plan',
          agent: 'coder',
          prompt: 'E2E-ANALYSIS: plan the feature and write the task list to plan/agent-tasks.json.',
          produces: 'plan/agent-tasks.json',
          timeout: '120s',
        },
      ],
    };
    workspace = createTempWorkspace(
      { 'apps/shop/project.json': { name: 'shop' }, 'apps/shop/agent-tasks.json': analysis },
      {
        analytics: false,
        plugins: [
          {
            plugin: 'nx-agent-orchestrator',
            options: { defaultAgent: 'scripted', agents: { coder: { provider: 'claude-code', model: 'claude-sonnet-4-5', maxTurns: 3 } } },
          },
        ],
      },
    );
    models = await startModelServer({
      rules: [
        {
          when: { userTextIncludes: 'E2E-ANALYSIS' },
          turns: writeFileConversation({
            client: 'claude-code',
            filePath: join(workspace.root, 'apps/shop/plan/agent-tasks.json'),
            content: producedList(),
            summary: PLAN_SUMMARY,
          }),
        },
      ],
    });
    home = mkdtempSync(join(tmpdir(), 'nx-agent-produces-home-'));
    env = {
      HOME: home,
      CLAUDE_CONFIG_DIR: join(home, '.claude'),
      ANTHROPIC_BASE_URL: models.url,
      ANTHROPIC_API_KEY: 'sk-ant-e2e-produces',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    };
  });
  afterAll(async () => {
    await models?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('one run-many runs the analysis through claude, then the list it wrote; the second run is all cache hits and sends no request', async () => {
    const first = await workspace.nx(['run-many', '-t', 'agent', '--output-style=static'], { env });
    expect({ code: first.code, output: first.code === 0 ? '' : first.output }).toEqual({ code: 0, output: '' });
    const plan = runRecord(workspace, 'shop', 'plan');
    expect(plan.summary).toContain(PLAN_SUMMARY);
    for (const id of ['schema', 'api', 'ui']) {
      expect(runRecord(workspace, 'shop--plan', id).status).toBe('succeeded');
      expect(workspace.read(`.agent-runs/shop--plan/${id}/transcript.jsonl`)).toContain(PLAN_SUMMARY);
    }
    const requests = models.requests.length;
    expect(requests).toBeGreaterThan(0);
    const second = await workspace.nx(['run-many', '-t', 'agent', '--output-style=static'], { env });
    expect(second.code).toBe(0);
    expect(cached(second.output)).toEqual(['shop:agent--plan', ...PRODUCED].sort());
    expect(models.requests.length - requests).toBe(0);
  });
});

describe('produces and the launch guard', () => {
  it("refuses a nested run over maxTasks, failing the analysis with the guard's message; NX_AGENTS_CONFIRM lets it go on", async () => {
    const workspace = createTempWorkspace(
      { 'apps/shop/project.json': { name: 'shop' }, 'apps/shop/agent-tasks.json': analysisSpec({ list: producedList() }) },
      { analytics: false, plugins: [{ plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'scripted', maxTasks: 2 } }] },
    );
    const refused = await workspace.nx(['run-many', '-t', 'agent', '--output-style=static']);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('nx-agents launch guard: nothing was started, this run is over its limits (4 agent tasks to run > maxTasks 2)');
    expect(refused.output).toContain('shop:agent--plan: the produced tasks of apps/shop/plan/agent-tasks.json did not all succeed');
    expect(workspace.exists('.agent-runs/shop--plan')).toBe(false);
    const confirmed = await workspace.nx(['run-many', '-t', 'agent', '--output-style=static'], { env: { NX_AGENTS_CONFIRM: '1' } });
    expect({ code: confirmed.code, output: confirmed.code === 0 ? '' : confirmed.output }).toEqual({ code: 0, output: '' });
    for (const id of ['schema', 'api', 'ui']) expect(runRecord(workspace, 'shop--plan', id).status).toBe('succeeded');
  });
});

describe('produces: Ctrl-C during the nested run', () => {
  it('stops the produced agents and their children, and claims no success', async () => {
    // Each produced agent starts a grandchild (sleep), records both pids, and waits.
    const list = JSON.stringify({ tasks: ['left', 'right'].map((id) => ({ id, agent: 'sleeper', prompt: `Work on ${id}.` })) });
    const workspace = createTempWorkspace(
      { 'apps/shop/project.json': { name: 'shop' }, 'apps/shop/agent-tasks.json': analysisSpec({ list }) },
      {
        analytics: false,
        plugins: [
          { plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'scripted', agents: { sleeper: { provider: 'command', command: SLEEPING_AGENT } } } },
        ],
      },
    );
    const { nx, agentPids: pids, exited } = startNxInBackground(workspace, ['run-many', '-t', 'agent', '--parallel=3']);
    expect(
      await eventually(
        () => pids().length,
        (count) => count === 4,
        120_000,
      ),
    ).toBe(4);
    expect(pids().filter(alive)).toEqual(pids());
    nx.kill('SIGINT');
    expect(await exited).not.toBe(0);
    expect(
      await eventually(
        () => pids().filter(alive),
        (living) => living.length === 0,
        20_000,
      ),
    ).toEqual([]);
    const statuses = ['left', 'right'].map(
      (id) => workspace.exists(`.agent-runs/shop--plan/${id}/result.json`) && runRecord(workspace, 'shop--plan', id).status,
    );
    expect(statuses).toEqual(['interrupted', 'interrupted']);
  });
});
