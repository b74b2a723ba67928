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
      warnings: ['provider "p" has no tool "Bash(git *)", "WebFetch"; its tools are read_file, write_file, edit_file, list_files'],
    },
    {
      settings: { tools: ['Write(src/**)'] },
      tools: ['write_file'],
      warnings: ['provider "p" cannot restrict Write to "src/**"; it applies to the whole workspace'],
    },
    { settings: { permissionMode: 'plan' }, tools: ['read_file', 'list_files'], warnings: [] },
    { settings: { permissionMode: 'read-only', tools: ['Read', 'Write'] }, tools: ['read_file'], warnings: [] },
    { settings: { permissionMode: 'acceptEdits' }, tools: ['read_file', 'write_file', 'edit_file', 'list_files'], warnings: [] },
    { settings: { permissionMode: 'bypassPermissions' }, tools: ['read_file', 'write_file', 'edit_file', 'list_files'], warnings: [] },
    { settings: { permissionMode: 'default' }, tools: ['read_file', 'write_file', 'edit_file', 'list_files'], warnings: [] },
    {
      settings: { permissionMode: 'yolo' },
      tools: ['read_file', 'write_file', 'edit_file', 'list_files'],
      warnings: [expect.stringContaining('provider "p" does not know permissionMode "yolo"; it runs as "default"')],
    },
  ])('$settings', ({ settings, tools, maxTurns, warnings }) => {
    const resolved = resolveModelApiSettings(settings, 'p');
    expect(resolved.tools.map((tool) => tool.name)).toEqual(tools);
    if (maxTurns !== undefined) expect(resolved.maxTurns).toBe(maxTurns);
    expect(resolved.warnings).toEqual(warnings);
  });
});
