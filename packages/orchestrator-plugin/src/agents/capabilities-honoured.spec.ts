import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROVIDER_IDS, type ProviderId } from '../task-spec/plugin-options';
import { AGENT_SETTINGS, PROVIDER_CAPABILITIES, type AgentSetting } from '../task-spec/provider-capabilities';
import { AGENT_SPECIFICATION_VERSION, UnsupportedFeatureError, type AgentAdapter, type AgentRunRequest } from './agent-adapter';
import { createAgent } from './create-agent';
import type { RunProcessOptions } from './process/run-process';
import { createClaudeCodeAgent } from './providers/claude-code-agent';
import { createCodexAgent, SANDBOX_MODES } from './providers/codex-agent';
import { createCommandAgent } from './providers/command-agent';
import { APPROVAL_MODES, createGeminiAgent } from './providers/gemini-agent';
import { createScriptedAgent } from './scripted-agent';
import { agentRunRequest } from '../testing/agent-run-request';
import { useAgentTestHarness } from '../testing/agent-test-harness';
import { writeHelloScript } from '../testing/write-hello-script';

/** The value each setting is tried with: one a client could show it received. */
const VALUES: Record<AgentSetting, AgentRunRequest[AgentSetting]> = {
  model: 'MODEL-MARKER',
  systemPrompt: 'SYSTEM-MARKER',
  tools: ['Read'],
  maxTurns: 1,
  permissionMode: 'plan',
};

const harness = useAgentTestHarness('capabilities-');

/** What one started process (or a model server) showed of a run, as text to search. */
interface Trial {
  adapter: AgentAdapter;
  /** Where a run shows what it received: the argv, env and settings files of the process, or the model requests. */
  evidence(): string;
  /** What the provider needs besides the setting (the command's argv). */
  overrides?: Partial<AgentRunRequest>;
}

/** A stand-in process that records what it was started with, and the gemini settings file it was pointed at. */
function recordingProcess(lines: string[]) {
  const seen: string[] = [];
  const runProcess = async (options: RunProcessOptions) => {
    const home = options.env.GEMINI_CLI_HOME;
    const settings = home ? readFileSync(join(home, '.gemini', 'settings.json'), 'utf8') : '';
    const systemFile = options.env.GEMINI_SYSTEM_MD ? readFileSync(options.env.GEMINI_SYSTEM_MD, 'utf8') : '';
    seen.push(JSON.stringify({ args: options.args, stdin: options.stdin, settings, systemFile }));
    for (const line of lines) options.onStdoutLine?.(line);
    return { exitCode: 0, signal: null, aborted: false, stdout: '', stderrTail: '' };
  };
  return { runProcess, evidence: () => seen.join('\n') };
}

const CODEX_TWO_TURNS = [
  '{"type":"thread.started","thread_id":"t"}',
  '{"type":"turn.started"}',
  '{"type":"item.completed","item":{"id":"1","type":"command_execution","command":"ls","exit_code":0}}',
  '{"type":"item.completed","item":{"id":"2","type":"agent_message","text":"done"}}',
  '{"type":"turn.completed","usage":{"input_tokens":1,"output_tokens":1}}',
];
const CLAUDE_DONE = ['{"type":"result","subtype":"success","result":"done","num_turns":1}'];
const GEMINI_DONE = ['{"type":"message","role":"assistant","content":"done"}', '{"type":"result","status":"success"}'];

async function trial(provider: ProviderId): Promise<Trial> {
  const env = { HOME: harness.folder(), PATH: process.env.PATH };
  const find = () => `/bin/${provider}`;
  if (provider === 'claude-code' || provider === 'codex' || provider === 'gemini') {
    const lines = { 'claude-code': CLAUDE_DONE, codex: CODEX_TWO_TURNS, gemini: GEMINI_DONE }[provider];
    const process = recordingProcess(lines);
    const create = { 'claude-code': createClaudeCodeAgent, codex: createCodexAgent, gemini: createGeminiAgent }[provider];
    return { adapter: create({ env, runProcess: process.runProcess, findExecutable: find }), evidence: process.evidence };
  }
  if (provider === 'command') {
    return { adapter: createCommandAgent({ env }), evidence: () => '', overrides: { providerOptions: { command: { argv: ['true'] } } } };
  }
  if (provider === 'scripted') return { adapter: createScriptedAgent(), evidence: () => '' };
  const server = await harness.startServer(writeHelloScript());
  const variables = provider === 'anthropic' ? { ANTHROPIC_API_KEY: 'key', ANTHROPIC_BASE_URL: server.url } : { OPENAI_BASE_URL: `${server.url}/v1` };
  const offered = (body: unknown) =>
    ((body as { tools?: Array<{ name?: string; function?: { name: string } }> }).tools ?? []).map((tool) => tool.name ?? tool.function?.name);
  const requests = () => server.requests.filter((request) => request.route === 'generate');
  return {
    adapter: createAgent(provider, { env: { ...env, ...variables } }),
    // openai has no default model.
    overrides: provider === 'openai' ? { model: 'gpt-4.1' } : {},
    evidence: () =>
      requests().length
        ? JSON.stringify(requests().map((request) => ({ model: request.model, system: request.conversation?.system, tools: offered(request.body) })))
        : '',
  };
}

/**
 * How a run shows that a setting was honoured, per provider: the flag, the settings file, the
 * request body, or the behaviour (maxTurns 1 stops a two-turn run).
 */
const HONOURED: Partial<Record<ProviderId, Partial<Record<AgentSetting, (evidence: string, outcome: string) => boolean>>>> = {
  'claude-code': {
    model: (evidence) => evidence.includes('"--model","MODEL-MARKER"'),
    systemPrompt: (evidence) => evidence.includes('"--append-system-prompt","SYSTEM-MARKER"'),
    tools: (evidence) => evidence.includes('"--tools","Read","--allowedTools","Read"'),
    maxTurns: (evidence) => evidence.includes('"--max-turns","1"'),
    permissionMode: (evidence) => evidence.includes('"--permission-mode","plan"'),
  },
  codex: {
    model: (evidence) => evidence.includes('"-m","MODEL-MARKER"'),
    systemPrompt: (evidence) => evidence.includes('developer_instructions=\\"SYSTEM-MARKER\\"'),
    maxTurns: (_evidence, outcome) => outcome.includes('codex reached maxTurns (1)'),
    permissionMode: (evidence) => evidence.includes('"-s","read-only"'),
  },
  gemini: {
    model: (evidence) => evidence.includes('"--model","MODEL-MARKER"'),
    systemPrompt: (evidence) => evidence.includes('"systemFile":"SYSTEM-MARKER"'),
    tools: (evidence) => evidence.includes('\\"core\\": [\\n      \\"read_file\\"\\n    ]'),
    maxTurns: (evidence) => evidence.includes('\\"maxSessionTurns\\": 1'),
    permissionMode: (evidence) => evidence.includes('"--approval-mode","plan"'),
  },
  ...Object.fromEntries(
    (['anthropic', 'openai'] as const).map((provider) => [
      provider,
      {
        model: (evidence: string) => evidence.includes('"model":"MODEL-MARKER"'),
        systemPrompt: (evidence: string) => evidence.includes('SYSTEM-MARKER'),
        tools: (evidence: string) => evidence.includes('"tools":["read_file"]'),
        maxTurns: (_evidence: string, outcome: string) => outcome.includes('reached maxTurns (1)'),
        permissionMode: (evidence: string) => evidence.includes('"tools":["read_file","list_files"]'),
      },
    ]),
  ),
  scripted: {
    // Its estimate counts the system prompt it was given: (13 + 16) / 4 characters, rounded up.
    systemPrompt: (_evidence, outcome) => outcome.includes('"inputTokens":8'),
    maxTurns: (_evidence, outcome) => outcome.includes('"turns":1'),
  },
};

async function runWith(provider: ProviderId, setting: AgentSetting) {
  const { adapter, evidence, overrides } = await trial(provider);
  const request = agentRunRequest({ cwd: harness.folder(), prompt: 'x'.repeat(16), ...overrides, [setting]: VALUES[setting] });
  const outcome = await adapter.run(request).then(
    (result) => JSON.stringify(result),
    (error: Error) => error,
  );
  return { adapter, outcome, evidence: evidence() };
}

describe('every adapter honours or refuses exactly what the capability table says', () => {
  const cases = PROVIDER_IDS.flatMap((provider) =>
    AGENT_SETTINGS.map((setting) => [provider, setting, PROVIDER_CAPABILITIES[provider].settings[setting].support] as const),
  );

  it.each(cases)('%s · %s: %s', async (provider, setting, support) => {
    const { adapter, outcome, evidence } = await runWith(provider, setting);
    expect(adapter).toMatchObject({ specificationVersion: AGENT_SPECIFICATION_VERSION, provider, capabilities: PROVIDER_CAPABILITIES[provider] });
    if (support !== 'honoured') {
      expect(UnsupportedFeatureError.isInstance(outcome)).toBe(true);
      expect(outcome).toMatchObject({ feature: setting, isRetryable: false });
      expect(evidence).toBe('');
      return;
    }
    expect(UnsupportedFeatureError.isInstance(outcome)).toBe(false);
    const shown = HONOURED[provider]?.[setting];
    expect(shown).toBeDefined();
    const text = typeof outcome === 'string' ? outcome : outcome.message;
    expect({ evidence, text, shown: shown!(evidence, text) }).toEqual({ evidence, text, shown: true });
  });

  it.each(PROVIDER_IDS)('%s: a resumed session and a budget limit are refused while the table says it has none', async (provider) => {
    const { budget } = PROVIDER_CAPABILITIES[provider];
    const refused = [
      ...(PROVIDER_CAPABILITIES[provider].resume ? [] : [{ resumeSessionId: 'previous' }]),
      ...(budget.maxCostUsd ? [] : [{ budget: { maxCostUsd: 1 } }]),
      ...(budget.maxTokens ? [] : [{ budget: { maxTokens: 1_000 } }]),
    ];
    for (const overrides of refused) {
      const { adapter, evidence } = await trial(provider);
      const error = await adapter.run(agentRunRequest({ cwd: harness.folder(), ...overrides })).catch((caught: unknown) => caught);
      expect(UnsupportedFeatureError.isInstance(error)).toBe(true);
      expect(evidence()).toBe('');
    }
  });

  it('the permission modes the table lists are the ones the adapters map', () => {
    expect(Object.keys(SANDBOX_MODES).sort()).toEqual([...PROVIDER_CAPABILITIES.codex.permissionModes!].sort());
    expect(Object.keys(APPROVAL_MODES).sort()).toEqual([...PROVIDER_CAPABILITIES.gemini.permissionModes!].sort());
  });
});
