import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentRunRequest } from '../agent-adapter';
import { agentRunRequest } from '../../testing/agent-run-request';
import { useAgentTestHarness } from '../../testing/agent-test-harness';
import { expectFailureAfterOneRequest } from '../../testing/expect-failure-after-one-request';
import { installedCliPath } from '../../testing/installed-cli-path';
import { writeFileConversation, type ModelScript } from '../../testing/model-server';
import { replayingProcess } from '../../testing/replaying-process';
import { claudeCodeArguments, claudeCodeEnvironment, createClaudeCodeAgent, keyVariable } from './claude-code-agent';
import { secretRedactor } from '../redact-secrets';

const harness = useAgentTestHarness('claude-code-agent-');
const BASE = ['-p', '--output-format', 'stream-json', '--verbose'];

describe('claudeCodeArguments', () => {
  it.each<[string, Parameters<typeof claudeCodeArguments>[0], string[]]>([
    ['nothing set: acceptEdits, so Write and Edit work headless', {}, [...BASE, '--permission-mode', 'acceptEdits']],
    ['model and turn limit', { model: 'sonnet', maxTurns: 7 }, [...BASE, '--permission-mode', 'acceptEdits', '--model', 'sonnet', '--max-turns', '7']],
    ['a permission mode passes through', { permissionMode: 'plan' }, [...BASE, '--permission-mode', 'plan']],
    [
      "the system prompt is appended to Claude Code's own",
      { systemPrompt: 'You are careful.' },
      [...BASE, '--permission-mode', 'acceptEdits', '--append-system-prompt', 'You are careful.'],
    ],
    [
      'tools limit the built-ins by bare name and pre-approve each rule as given',
      { tools: ['Read', 'Write', 'Bash(git *)', 'Bash(npm test)', 'mcp__github__create_issue', ' '] },
      [
        ...BASE,
        '--permission-mode',
        'acceptEdits',
        '--tools',
        'Read,Write,Bash',
        '--allowedTools',
        'Read',
        'Write',
        'Bash(git *)',
        'Bash(npm test)',
        'mcp__github__create_issue',
      ],
    ],
    ['an empty tool list changes nothing', { tools: [] }, [...BASE, '--permission-mode', 'acceptEdits']],
    ["a cost budget is the CLI's own", { budget: { maxCostUsd: 0.25 } }, [...BASE, '--permission-mode', 'acceptEdits', '--max-budget-usd', '0.25']],
    ['a verify follow-up resumes the session', { resumeSessionId: 'session-1' }, [...BASE, '--resume', 'session-1', '--permission-mode', 'acceptEdits']],
  ])('%s', (_name, request, expected) => {
    expect(claudeCodeArguments(request)).toEqual(expected);
  });
});

describe('claudeCodeEnvironment', () => {
  it.each<[string, NodeJS.ProcessEnv, Record<string, string> | undefined, NodeJS.ProcessEnv]>([
    [
      'turns off the CLI retries and nonessential traffic',
      { PATH: '/bin' },
      undefined,
      { PATH: '/bin', CLAUDE_CODE_MAX_RETRIES: '0', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
    ],
    [
      'a profile env wins over the caller env',
      { A: '1', B: '1' },
      { B: '2' },
      { A: '1', B: '2', CLAUDE_CODE_MAX_RETRIES: '0', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
    ],
    [
      'a shell-wide retry setting is overridden: one retry ladder only',
      { CLAUDE_CODE_MAX_RETRIES: '10' },
      undefined,
      { CLAUDE_CODE_MAX_RETRIES: '0', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
    ],
    [
      'a profile may set the CLI retries on purpose',
      {},
      { CLAUDE_CODE_MAX_RETRIES: '2' },
      { CLAUDE_CODE_MAX_RETRIES: '2', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
    ],
    [
      'a user who set nonessential traffic keeps the choice',
      { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '' },
      undefined,
      { CLAUDE_CODE_MAX_RETRIES: '0', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '' },
    ],
  ])('%s', (_name, base, profile, expected) => {
    const before = { ...base };
    expect(claudeCodeEnvironment(base, profile)).toEqual(expected);
    expect(base).toEqual(before);
  });
});

describe('keyVariable', () => {
  it.each([
    [{ ANTHROPIC_API_KEY: 'a', ANTHROPIC_AUTH_TOKEN: 'b' }, 'ANTHROPIC_API_KEY'],
    [{ ANTHROPIC_AUTH_TOKEN: 'b' }, 'ANTHROPIC_AUTH_TOKEN'],
    [{}, 'ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN)'],
  ])('%j -> %s', (env, expected) => expect(keyVariable(env)).toBe(expected));
});

describe('secretRedactor', () => {
  it('hides the values of keys, tokens and passwords, longest first, and nothing else', () => {
    const redact = secretRedactor({
      ANTHROPIC_API_KEY: 'sk-ant-1234567890',
      MY_TOKEN: 'sk-ant-1234567890-long',
      DB_PASSWORD: 'hunter2!x',
      SHORT_KEY: 'abc',
      HOME: '/root/home-folder',
    });
    expect(redact('a sk-ant-1234567890-long b sk-ant-1234567890 c hunter2!x d abc /root/home-folder')).toBe(
      'a [redacted] b [redacted] c [redacted] d abc /root/home-folder',
    );
  });
});

describe('createClaudeCodeAgent with a stand-in process', () => {
  it('sends the prompt on stdin, runs in the workspace with the merged env, and maps the stream', async () => {
    const claude = replayingProcess([
      { stdout: '{"type":"system","subtype":"init","model":"claude-sonnet-4-5","permissionMode":"acceptEdits","tools":[]}' },
      { stderr: 'warning with sk-ant-secret-value' },
      {
        stdout:
          '{"type":"result","subtype":"success","is_error":false,"num_turns":1,"result":"done","total_cost_usd":0.5,"usage":{"input_tokens":3,"output_tokens":4},"permission_denials":[]}',
      },
    ]);
    const agent = createClaudeCodeAgent({
      env: { PATH: '/bin', ANTHROPIC_API_KEY: 'sk-ant-secret-value' },
      findExecutable: () => '/usr/local/bin/claude',
      runProcess: claude.runProcess,
    });
    const input = agentRunRequest({ prompt: '- starts with a dash', env: { EXTRA: 'yes' }, model: 'sonnet' });
    const result = await agent.run(input);
    const [seen] = claude.runs;
    expect(seen).toMatchObject({ command: '/usr/local/bin/claude', cwd: '/workspace', stdin: '- starts with a dash' });
    expect(seen?.args).not.toContain('- starts with a dash');
    expect(seen?.env).toMatchObject({ PATH: '/bin', EXTRA: 'yes', CLAUDE_CODE_MAX_RETRIES: '0' });
    expect(result).toEqual({
      summary: 'done',
      model: 'claude-sonnet-4-5',
      turns: 1,
      inputTokens: 3,
      outputTokens: 4,
      costUsd: 0.5,
      filesWritten: [],
      warnings: [],
    });
    expect(input.events[0]).toEqual({ type: 'status', message: 'running claude -p --model sonnet --permission-mode acceptEdits' });
    expect(input.events).toContainEqual({ type: 'status', message: 'claude: warning with [redacted]' });
    expect(JSON.stringify(input.events)).not.toContain('sk-ant-secret-value');
  });

  it('fails at once with the install command when the CLI is missing', async () => {
    const agent = createClaudeCodeAgent({ env: { PATH: '' }, runProcess: () => Promise.reject(new Error('must not run')) });
    const failure = agent.run(agentRunRequest({ cwd: harness.folder() }));
    await expect(failure).rejects.toThrow('claude not found on PATH or in node_modules/.bin: npm i -D @anthropic-ai/claude-code');
    await expect(failure).rejects.toMatchObject({ isRetryable: false });
  });
});

// The real CLI (a dev dependency) against the scripted model server: checks that the recorded
// facts the parser relies on still hold for the installed version.
describe('createClaudeCodeAgent with the real claude CLI', () => {
  async function runReal(script: ModelScript, overrides: Partial<AgentRunRequest> = {}, cwd = harness.folder()) {
    const server = await harness.startServer(script);
    const home = harness.folder();
    const env = {
      PATH: installedCliPath(),
      HOME: home,
      CLAUDE_CONFIG_DIR: join(home, '.claude'),
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'sk-ant-unit-test-key',
    };
    return harness.runAgent(createClaudeCodeAgent({ env }), {
      cwd,
      prompt: 'UNIT-TASK write the file',
      systemPrompt: 'UNIT-SYSTEM-PROMPT',
      model: 'claude-sonnet-4-5',
      ...overrides,
    });
  }

  it('writes a file through the Write tool and reports it with tokens and cost', async () => {
    const cwd = harness.folder();
    const { result, error, events, requests } = await runReal(
      {
        rules: [
          {
            when: { userTextIncludes: 'UNIT-TASK' },
            turns: writeFileConversation({
              client: 'claude-code',
              filePath: join(cwd, 'src/out.txt'),
              content: 'hello\n',
              summary: 'Wrote src/out.txt',
              toolCallUsage: { inputTokens: 100, outputTokens: 20 },
              summaryUsage: { inputTokens: 150, outputTokens: 10 },
            }),
          },
        ],
      },
      {},
      cwd,
    );
    expect(error).toBeUndefined();
    expect(readFileSync(join(cwd, 'src/out.txt'), 'utf8')).toBe('hello\n');
    expect(result).toMatchObject({
      summary: 'Wrote src/out.txt',
      model: 'claude-sonnet-4-5',
      turns: 2,
      inputTokens: 250,
      outputTokens: 30,
      filesWritten: ['src/out.txt'],
    });
    expect(result?.costUsd).toBeGreaterThan(0);
    expect(events).toContainEqual({ type: 'tool', name: 'Write', detail: 'src/out.txt' });
    expect(events).toContainEqual({ type: 'file', path: 'src/out.txt' });
    expect(requests[0].conversation?.system).toContain('UNIT-SYSTEM-PROMPT');
    // Appended: Claude Code's own instructions stay.
    expect(requests[0].conversation?.system).toContain('Claude Code');
    expect(requests[0].headers['x-api-key']).toBe('sk-ant-unit-test-key');
  }, 60_000);

  it.each<[string, number, { isRetryable: boolean; message: RegExp }]>([
    ['429 is retryable, and the CLI does not retry it itself', 429, { isRetryable: true, message: /rate limit \(HTTP 429\)/ }],
    ['401 fails for good and names the key variable', 401, { isRetryable: false, message: /HTTP 401\): check ANTHROPIC_API_KEY/ }],
  ])(
    '%s',
    async (_name, status, expected) => {
      const run = await runReal({ rules: [{ when: { userTextIncludes: 'UNIT-TASK' }, turns: [{ type: 'error', status, retryAfterSeconds: 1 }] }] });
      expectFailureAfterOneRequest(run, { ...expected, statusCode: status }, 'sk-ant-unit-test-key');
    },
    60_000,
  );

  it('stops itself at the cost budget it is given (--max-budget-usd), before the next request, and says so', async () => {
    const cwd = harness.folder();
    // The first turn alone costs about $0.30 at claude-sonnet-4-5's price: past the budget, so no second request.
    const { error, requests } = await runReal(
      {
        rules: [
          {
            when: { userTextIncludes: 'UNIT-TASK' },
            turns: writeFileConversation({
              client: 'claude-code',
              filePath: join(cwd, 'src/out.txt'),
              content: 'hello\n',
              summary: 'Wrote src/out.txt',
              toolCallUsage: { inputTokens: 100_000, outputTokens: 20 },
              summaryUsage: { inputTokens: 150, outputTokens: 10 },
            }),
          },
        ],
      },
      { budget: { maxCostUsd: 0.05 } },
      cwd,
    );
    expect(error).toMatchObject({ isRetryable: false });
    expect(error?.message).toMatch(/claude stopped at its budget of \$0\.0500 \(the task's maxCost\) after spending \$0\.3\d+/);
    expect(error?.usage?.costUsd).toBeGreaterThan(0.05);
    expect(requests.filter((request) => request.route === 'generate' && request.conversation?.userTexts.join('').includes('UNIT-TASK'))).toHaveLength(1);
  }, 60_000);

  it('treats a write denied in permission mode "default" as a failure although the CLI exits 0', async () => {
    const cwd = harness.folder();
    const { error } = await runReal(
      {
        rules: [
          {
            when: { userTextIncludes: 'UNIT-TASK' },
            turns: writeFileConversation({ client: 'claude-code', filePath: join(cwd, 'x.txt'), content: 'x', summary: 'Wrote x.txt' }),
          },
        ],
      },
      { permissionMode: 'default' },
      cwd,
    );
    expect(error).toMatchObject({ isRetryable: false });
    expect(error?.message).toMatch(/denied 1 tool call \(Write .*x\.txt\) in permission mode "default"/);
  }, 60_000);

  it('stops the CLI when the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = runReal({ rules: [{ when: { userTextIncludes: 'UNIT-TASK' }, turns: [{ type: 'hang' }] }] }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 2_000);
    const { error } = await pending;
    expect(error?.message).toMatch(/stopped before it finished/);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 60_000);
});
