import type { ProviderId } from './plugin-options';
import { checkAgentSettings, describeAgentWarning, honouredSettings, type AgentSettings } from './provider-capabilities';

describe('checkAgentSettings', () => {
  it.each<[string, ProviderId, AgentSettings, { errors: RegExp[]; warnings: string[] }]>([
    [
      'claude-code honours everything',
      'claude-code',
      { model: 'm', systemPrompt: 's', tools: ['Read'], maxTurns: 3, permissionMode: 'anything' },
      { errors: [], warnings: [] },
    ],
    ['nothing set, nothing to say', 'command', { tools: [] }, { errors: [], warnings: [] }],
    [
      'command: model, system prompt and turns are warnings (the run still does what was asked)',
      'command',
      { model: 'm', systemPrompt: 's', maxTurns: 3 },
      { errors: [], warnings: ['model', 'systemPrompt', 'maxTurns'] },
    ],
    [
      'command: tools and permissionMode are errors (restrictions nothing would enforce)',
      'command',
      { tools: ['Read'], permissionMode: 'plan' },
      { errors: [/provider "command" cannot honour "tools"/, /provider "command" cannot honour "permissionMode"/], warnings: [] },
    ],
    ['codex: tools that allow changes are a warning (its sandbox confines them)', 'codex', { tools: ['Read', 'Write'] }, { errors: [], warnings: ['tools'] }],
    [
      'codex: read-only tools in a writing sandbox are an error, with the fix',
      'codex',
      { tools: ['Read', 'Grep'] },
      { errors: [/cannot limit its tools, and "tools" \(Read, Grep\) allows no edits or commands: set "permissionMode" to "plan"/], warnings: ['tools'] },
    ],
    ['codex: read-only tools with a read-only sandbox are fine', 'codex', { tools: ['Read'], permissionMode: 'plan' }, { errors: [], warnings: ['tools'] }],
    ['codex: a Bash rule counts as a change', 'codex', { tools: ['Read', 'Bash(npm test)'] }, { errors: [], warnings: ['tools'] }],
    [
      'an unknown permission mode is an error, with the closest known one',
      'codex',
      { permissionMode: 'acceptEdit' },
      { errors: [/provider "codex" has no permission mode "acceptEdit"\. Did you mean "acceptEdits"\?/], warnings: [] },
    ],
    ['gemini knows its own modes', 'gemini', { permissionMode: 'yolo' }, { errors: [], warnings: [] }],
    ['the model APIs know read-only modes', 'openai', { permissionMode: 'read-only' }, { errors: [], warnings: [] }],
    [
      'scripted: tools and modes are warnings (its script is all it does)',
      'scripted',
      { tools: ['Read'], permissionMode: 'plan', model: 'x' },
      { errors: [], warnings: ['model', 'tools', 'permissionMode'] },
    ],
  ])('%s', (_name, provider, settings, expected) => {
    const check = checkAgentSettings(provider, settings);
    expect(check.errors).toHaveLength(expected.errors.length);
    expected.errors.forEach((pattern, index) => expect(check.errors[index]).toMatch(pattern));
    expect(check.warnings.map((warning) => warning.type === 'unsupported-setting' && warning.setting)).toEqual(expected.warnings);
  });

  it('honouredSettings leaves out what the provider does not honour', () => {
    expect(honouredSettings('codex', { model: 'm', tools: ['Read'], maxTurns: 2 })).toEqual({ model: 'm', maxTurns: 2 });
    expect(honouredSettings('command', { model: 'm', tools: ['Read'], env: { A: '1' } } as AgentSettings)).toEqual({ env: { A: '1' } });
  });

  it('describes a warning with the value it is about', () => {
    expect(describeAgentWarning({ type: 'unsupported-setting', setting: 'tools', details: 'why' }, 'codex', { tools: ['Read', 'Write'] })).toBe(
      'provider "codex" cannot honour "tools" (Read, Write): why',
    );
    expect(describeAgentWarning({ type: 'other', message: 'plain' }, 'codex')).toBe('plain');
  });
});
