import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import {
  startModelServer,
  writeFileConversation,
  type ModelServer,
  type ModelTurn,
  type RecordedRequest,
  type ScriptedClient,
  type ScriptRule,
} from '../../src/testing/model-server';
import { processesIn } from './processes';
import { createTempWorkspace, type CommandResult, type TempWorkspace } from './temp-workspace';

const WRITTEN_FILE = 'apps/a/src/hello.ts';
const WRITTEN_CONTENT = 'export const hello = "world";\n';
const SUMMARY = 'Created apps/a/src/hello.ts exporting hello.';

/** A CLI the adapter spawns: it runs the tool loop in its own tool names, and a timeout must kill it. */
export interface CliClient {
  kind: 'cli';
  /** The command, as the timeout test names it: "kills claude on timeout". */
  command: string;
  /** Whose tool names the scripted write uses. */
  scriptedAs: Exclude<ScriptedClient, 'generic'>;
  /** Text in the `ps` line of the running client, so the timeout test knows it saw the client. */
  processMatching: string;
  /** How many such lines while the client hangs; unset: at least one. */
  processCount?: number;
}

/**
 * An SDK inside the executor: the adapter runs its own tool loop (`write_file{path, content}`)
 * and sees the 429's retry-after, which the task retry then honours.
 */
export interface SdkClient {
  kind: 'sdk';
}

/** What a provider's write run left behind, for the provider's own checks. */
export interface WriteRun {
  result: CommandResult;
  /** The run record, `.agent-runs/a/write/result.json`. */
  record: Record<string, unknown>;
  /** The model requests of the write task, in arrival order. */
  requests: RecordedRequest[];
  home: string;
}

/** One provider, as the shared contract tests need to know it. */
export interface ProviderDescription {
  /** The provider id in the agent profile and in the run record. */
  provider: string;
  /** How the adapter's errors name the provider: "<name> rate limit (HTTP 429)". */
  errorName: string;
  model: string;
  systemPrompt: string;
  /** The profile's `tools`. */
  tools: string[];
  client: CliClient | SdkClient;
  /** The variable the key is read from, which a rejected key must name. */
  keyVariable: string;
  /** The key itself, which nothing a run prints or writes may contain. */
  key: string;
  /** `client` when the client reports the cost, `price-table` when the plugin prices the tokens. */
  costSource: 'client' | 'price-table';
  /** The progress line of the scripted write tool call. */
  toolCallLine: string;
  /**
   * The provider's variables for every run (base URL, key, config folders), given the server
   * and an empty home folder (already set as HOME); may create folders inside that home.
   */
  environment(server: ModelServer, home: string): Record<string, string>;
  /** Further workspace files (path -> content) for the provider's own tests. */
  files?: Record<string, string>;
  /** Further server rules for the provider's own tests. */
  rules?: ScriptRule[];
  /** The provider's own checks of the write run, after the shared ones. */
  checkWrite?(write: WriteRun): void;
}

/** The workspace, server and environment the contract set up, for a provider's own tests (filled in by `beforeAll`). */
export interface ProviderRun {
  workspace: TempWorkspace;
  server: ModelServer;
  home: string;
  env: Record<string, string>;
  /** Runs `a:agent--<task>` through nx, with the provider's environment unless given another. */
  run(task: string, env?: Record<string, string>): Promise<CommandResult>;
  /** The model requests of the task whose text contains `marker`. */
  requestsFor(marker: string): RecordedRequest[];
}

/** A task file for the profile `coder` whose text starts with `marker`, by which the server's rules tell tasks apart. */
export function agentTask(marker: string, frontmatter: string): string {
  return `---\nagent: coder\n${frontmatter}---\n${marker}: do the work described here.\n`;
}

function writeTurns(client: CliClient | SdkClient, root: string): ModelTurn[] {
  if (client.kind === 'sdk') {
    return [
      { type: 'tool-call', name: 'write_file', input: { path: WRITTEN_FILE, content: WRITTEN_CONTENT }, usage: { inputTokens: 1_200, outputTokens: 40 } },
      { type: 'text', text: SUMMARY, usage: { inputTokens: 300, cacheReadInputTokens: 1_000, outputTokens: 15 } },
    ];
  }
  return writeFileConversation({
    client: client.scriptedAs,
    // codex writes through a shell command run in the workspace root; claude's and gemini's write tools want an absolute path.
    filePath: client.scriptedAs === 'codex' ? WRITTEN_FILE : join(root, WRITTEN_FILE),
    content: WRITTEN_CONTENT,
    summary: SUMMARY,
    toolCallUsage: { inputTokens: 1_200, outputTokens: 40 },
    summaryUsage: { inputTokens: 1_300, outputTokens: 15 },
  });
}

/** PATH without any node_modules/.bin, so the executor must find a CLI in the workspace's own. */
function pathWithoutNodeModules(): string {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter((folder) => !folder.includes('node_modules'))
    .join(delimiter);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/**
 * The contract every provider keeps, run by the real Nx executor in a real temp workspace
 * against the scripted model server: a tool call writes a file and the run record carries
 * tokens, cost, summary, provider and model; a 429 is retried; a 401 fails at once naming the
 * key variable; a timeout leaves no process. Call inside the provider's `describe`; returns
 * the setup for the provider's own tests.
 */
export function providerContract(description: ProviderDescription): ProviderRun {
  const { client, key, keyVariable } = description;
  const context = {
    run: (task: string, env?: Record<string, string>) =>
      context.workspace.nx(['run', `a:agent--${task}`, '--output-style=static'], { env: env ?? context.env }),
    requestsFor: (marker: string) =>
      context.server.requests.filter((request) => request.route === 'generate' && request.conversation?.userTexts.some((text) => text.includes(marker))),
  } as ProviderRun;
  const { run, requestsFor } = context;

  beforeAll(async () => {
    context.workspace = createTempWorkspace(
      {
        'apps/a/project.json': { name: 'a' },
        'apps/a/tasks/write.agent.md': agentTask('E2E-WRITE', 'retries: 1\ntimeout: 60s\n'),
        'apps/a/tasks/rate-limited.agent.md': agentTask('E2E-RATE', 'retries: 1\ntimeout: 60s\n'),
        'apps/a/tasks/bad-key.agent.md': agentTask('E2E-AUTH', 'retries: 2\ntimeout: 60s\n'),
        'apps/a/tasks/hangs.agent.md': agentTask('E2E-HANG', 'retries: 1\ntimeout: 5s\n'),
        ...description.files,
      },
      {
        analytics: false,
        plugins: [
          {
            plugin: 'nx-agent-orchestrator',
            options: {
              agents: {
                coder: {
                  provider: description.provider,
                  model: description.model,
                  systemPrompt: description.systemPrompt,
                  tools: description.tools,
                  maxTurns: 5,
                },
              },
            },
          },
        ],
      },
    );
    context.server = await startModelServer({
      rules: [
        { when: { userTextIncludes: 'E2E-WRITE' }, turns: writeTurns(client, context.workspace.root) },
        {
          when: { userTextIncludes: 'E2E-RATE' },
          turns: [
            { type: 'error', status: 429, retryAfterSeconds: 1 },
            { type: 'text', text: 'Recovered after the rate limit.' },
          ],
        },
        {
          when: { userTextIncludes: 'E2E-AUTH' },
          turns: [
            { type: 'error', status: 401 },
            { type: 'text', text: 'must never be reached' },
          ],
        },
        // A second request would hang too, and fail the one-request check rather than get an answer.
        { when: { userTextIncludes: 'E2E-HANG' }, turns: [{ type: 'hang' }, { type: 'hang' }] },
        ...(description.rules ?? []),
      ],
    });
    context.home = mkdtempSync(join(tmpdir(), `${description.provider}-e2e-home-`));
    context.env = {
      // A CLI found in the workspace's own node_modules/.bin names the workspace path in every process it starts.
      ...(client.kind === 'cli' && { PATH: pathWithoutNodeModules() }),
      HOME: context.home,
      ...description.environment(context.server, context.home),
    };
  });

  afterAll(async () => {
    await context.server?.close();
    if (context.home) rmSync(context.home, { recursive: true, force: true });
  });

  it('writes a file through a tool call and records tokens, cost, summary, provider and model', async () => {
    const { workspace } = context;
    const result = await run('write');
    expect(result.code).toBe(0);
    expect(workspace.read(WRITTEN_FILE)).toBe(WRITTEN_CONTENT);
    const record = workspace.readJson('.agent-runs/a/write/result.json');
    expect(record).toMatchObject({
      status: 'succeeded',
      provider: description.provider,
      model: description.model,
      attempts: 1,
      turns: 2,
      // 1,200 + 1,300, where the SDK script sends 1,000 of the 1,300 as cached prompt tokens: they count as input.
      tokens: { input: 2_500, output: 55 },
      costSource: description.costSource,
      summary: SUMMARY,
      filesWritten: [WRITTEN_FILE],
    });
    expect(record.costUsd).toBeGreaterThan(0);
    expect(result.output).toContain(description.toolCallLine);
    expect(result.output).toContain(`wrote ${WRITTEN_FILE}`);

    const requests = requestsFor('E2E-WRITE');
    const [first, second] = requests;
    expect(first.conversation?.userTexts.join('\n')).toContain('E2E-WRITE: do the work described here.');
    expect(first.model).toBe(description.model);
    if (client.kind === 'sdk') {
      expect(first.conversation?.system).toBe(description.systemPrompt);
      expect(second.conversation?.toolResults).toEqual([`Wrote ${WRITTEN_FILE} (30 bytes).`]);
      expect(result.output).toContain('turn 2');
      expect(result.output).toContain('tokens so far: 2500 in / 55 out');
    } else {
      // A CLI wraps the profile's prompt in its own.
      expect(first.conversation?.system).toContain(description.systemPrompt);
    }
    expect(workspace.read('.agent-runs/a/write/transcript.jsonl') + result.output).not.toContain(key);
    description.checkWrite?.({ result, record, requests, home: context.home });
  });

  // A CLI cannot pass the retry-after on (and its own retries are off): the task retry backs off.
  it(
    client.kind === 'sdk' ? 'retries a 429 after its retry-after through the task retry and succeeds' : 'retries a 429 through the task retry and succeeds',
    async () => {
      const result = await run('rate-limited');
      expect(result.code).toBe(0);
      expect(requestsFor('E2E-RATE')).toHaveLength(2);
      expect(context.workspace.readJson('.agent-runs/a/rate-limited/result.json')).toMatchObject({
        status: 'succeeded',
        attempts: 2,
        summary: 'Recovered after the rate limit.',
      });
      const failure = `attempt 1 failed \\(${escapeRegExp(description.errorName)} rate limit \\(HTTP 429\\)`;
      expect(result.output).toMatch(new RegExp(client.kind === 'sdk' ? `${failure}.*\\); retrying in 1(\\.0)?s` : failure));
    },
  );

  it(`fails a 401 at once, without a retry, naming ${keyVariable} and never the key`, async () => {
    const { workspace } = context;
    const result = await run('bad-key');
    expect(result.code).not.toBe(0);
    expect(requestsFor('E2E-AUTH')).toHaveLength(1);
    const record = workspace.readJson('.agent-runs/a/bad-key/result.json');
    expect(record).toMatchObject({ status: 'failed', attempts: 1 });
    expect(record.error).toContain(`${description.errorName} rejected the credentials (HTTP 401): check ${keyVariable}`);
    expect(result.output).toContain(`check ${keyVariable}`);
    expect(result.output + JSON.stringify(record) + workspace.read('.agent-runs/a/bad-key/transcript.jsonl')).not.toContain(key);
  });

  it(`${client.kind === 'cli' ? `kills ${client.command}` : 'aborts the hung request'} on timeout: the record says timed-out and no process is left`, async () => {
    const { workspace, server } = context;
    // codex's native binary lives outside the workspace; it names the server URL instead.
    const ours = () => processesIn(workspace.root, [`${server.url}/`]);
    const started = Date.now();
    const running = run('hangs');
    // While it hangs, the check does see the client (so an empty list later means something).
    let seen: string[] = [];
    while (!seen.length && Date.now() - started < 30_000) {
      await sleep(200);
      seen = requestsFor('E2E-HANG').length ? ours().filter((line) => client.kind === 'sdk' || line.includes(client.processMatching)) : [];
    }
    if (client.kind === 'cli' && client.processCount !== undefined) expect(seen).toHaveLength(client.processCount);
    else expect(seen.length).toBeGreaterThan(0);
    const result = await running;
    expect(result.code).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(requestsFor('E2E-HANG')).toHaveLength(1);
    const record = workspace.readJson('.agent-runs/a/hangs/result.json');
    expect(record).toMatchObject({ status: 'timed-out', attempts: 1 });
    expect(record.error).toMatch(/timed out after 5(\.0)?s/);
    expect(record.durationMs).toBeLessThan(15_000);
    // The group was killed before the executor returned; give the kernel a moment to reap.
    await sleep(500);
    expect(ours()).toEqual([]);
  });

  return context;
}
