import { spawnSync } from 'node:child_process';
import { parseVerifyCheck, quoteForPosixShell, verifyCheckCommand, type VerifyCheckValues } from './verify-check';

const values: VerifyCheckValues = { project: 'api', projectRoot: 'apps/api', workspaceRoot: '/work/ws', task: 'write-api' };

function parsed(written: string) {
  const result = parseVerifyCheck(written);
  if (!result.ok) throw new Error(result.message);
  return result.check;
}

describe('parseVerifyCheck', () => {
  it.each([
    ['nx:{project}:test', { kind: 'nx', target: '{project}:test', args: [] }],
    ['nx:api:build:production', { kind: 'nx', target: 'api:build:production', args: [] }],
    ['nx:{project}:test --ci --coverage=false', { kind: 'nx', target: '{project}:test', args: ['--ci', '--coverage=false'] }],
    ['  npm test  ', { kind: 'shell', command: 'npm test' }],
    ["awk '{print $1}' {projectRoot}/list.txt", { kind: 'shell', command: "awk '{print $1}' {projectRoot}/list.txt" }],
    ['echo ${HOME} {a,b}', { kind: 'shell', command: 'echo ${HOME} {a,b}' }],
  ])('%s', (written, expected) => {
    expect(parsed(written)).toMatchObject(expected);
  });

  it.each([
    ['', /empty/],
    ['nx:test', /nx:<project>:<target>/],
    ['nx:{project}:', /nx:<project>:<target>/],
    ['nx::test', /nx:<project>:<target>/],
    ['npm run lint -- {projct}', /\{projct\}.*Did you mean \{project\}\?/],
    ['nx:{projectroot}:test', /Did you mean \{projectRoot\}\?/],
  ])('refuses %j', (written, message) => {
    const result = parseVerifyCheck(written);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

describe('verifyCheckCommand', () => {
  it('gives an Nx target as argv elements, substituted without quotes', () => {
    expect(verifyCheckCommand(parsed('nx:{project}:test --root={projectRoot}'), values, 'linux')).toEqual({
      kind: 'nx',
      argv: ['run', 'api:test', '--root=apps/api'],
    });
  });

  it('quotes every substitution in a shell command, and leaves the shell its own braces', () => {
    expect(verifyCheckCommand(parsed("npm run lint -- {project} && awk '{print}' ${HOME}"), values, 'linux').argv).toEqual([
      '/bin/sh',
      '-c',
      "npm run lint -- 'api' && awk '{print}' ${HOME}",
    ]);
    expect(verifyCheckCommand(parsed('type {projectRoot}'), { ...values, projectRoot: 'a "b"' }, 'win32').argv).toEqual([
      'cmd.exe',
      '/d',
      '/s',
      '/c',
      'type "a ""b"""',
    ]);
  });

  // A real shell: a hostile value stays one word and runs nothing.
  it.each(["it's", 'a b', '$(touch /tmp/verify-check-pwned)', "'; echo injected; '", '`id`', 'back\\slash'])(
    'a real /bin/sh reads %j back as one word',
    (value) => {
      const [shell, flag, command] = verifyCheckCommand(parsed('printf "%s|" {project}'), { ...values, project: value }, 'linux').argv;
      const result = spawnSync(shell, [flag, command], { encoding: 'utf8' });
      expect(result.stdout).toBe(`${value}|`);
      expect(quoteForPosixShell(value).startsWith("'")).toBe(true);
    },
  );
});
