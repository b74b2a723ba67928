import { UnsupportedFeatureError } from '../agent-adapter';
import { DEFAULT_MAX_TURNS, resolveModelApiSettings } from './model-api-settings';

describe('resolveModelApiSettings', () => {
  it.each([
    { settings: {}, tools: ['read_file', 'write_file', 'edit_file', 'list_files'], maxTurns: DEFAULT_MAX_TURNS, warnings: [] },
    { settings: { tools: [] }, tools: ['read_file', 'write_file', 'edit_file', 'list_files'], warnings: [] },
    { settings: { tools: ['read_file', 'WRITE_FILE'], maxTurns: 3 }, tools: ['read_file', 'write_file'], maxTurns: 3, warnings: [] },
    { settings: { tools: ['Read', 'Edit', 'MultiEdit', 'Glob', 'LS'] }, tools: ['read_file', 'edit_file', 'list_files'], warnings: [] },
    {
      settings: { tools: ['Read', 'Bash(git *)', 'WebFetch'] },
      tools: ['read_file'],
      warnings: [
        {
          type: 'unsupported-setting',
          setting: 'tools',
          details: 'no tool "Bash(git *)", "WebFetch"; its tools are read_file, write_file, edit_file, list_files',
        },
      ],
    },
    { settings: { permissionMode: 'plan' }, tools: ['read_file', 'list_files'], warnings: [] },
    { settings: { permissionMode: 'read-only', tools: ['Read', 'Write'] }, tools: ['read_file'], warnings: [] },
    { settings: { permissionMode: 'acceptEdits' }, tools: ['read_file', 'write_file', 'edit_file', 'list_files'], warnings: [] },
    { settings: { permissionMode: 'bypassPermissions' }, tools: ['read_file', 'write_file', 'edit_file', 'list_files'], warnings: [] },
    { settings: { permissionMode: 'default' }, tools: ['read_file', 'write_file', 'edit_file', 'list_files'], warnings: [] },
  ])('$settings', ({ settings, tools, maxTurns, warnings }) => {
    const resolved = resolveModelApiSettings(settings, 'p');
    expect(resolved.tools.map((tool) => tool.name)).toEqual(tools);
    if (maxTurns !== undefined) expect(resolved.maxTurns).toBe(maxTurns);
    expect(resolved.warnings).toEqual(warnings);
  });

  it.each(['Write(src/**)', 'Edit(docs/*.md)', 'Read(src/**)'])('refuses a rule it cannot enforce: %s (its tools cover the whole workspace)', (tool) => {
    expect(() => resolveModelApiSettings({ tools: [tool] }, 'p')).toThrow(UnsupportedFeatureError);
    expect(() => resolveModelApiSettings({ tools: [tool] }, 'p')).toThrow(/provider "p" cannot restrict \w+ to ".*": its file tools cover the whole workspace/);
  });
});
