import { parsePlanArguments, selectionFromNxArgv, UsageError } from './selection-arguments';

describe('parsePlanArguments', () => {
  it.each<[string, string[], object]>([
    ['nothing: every project, the aggregate target', [], { selection: { command: 'run-many', targets: ['agent'] }, json: false }],
    [
      'run-many’s flags, comma-separated or repeated',
      ['-t', 'agent', '--projects=a,b', '-p', 'c', '--exclude', 'd', '--parallel', '5', '--json'],
      { selection: { command: 'run-many', targets: ['agent'], projects: ['a', 'b', 'c'], exclude: ['d'] }, parallel: 5, json: true },
    ],
    ['unlimited parallelism', ['--parallel=unlimited'], { parallel: null }],
    [
      'affected with base and head',
      ['--affected', '--base=main', '--head', 'HEAD~1', '-t', 'agent--x'],
      { selection: { command: 'affected', targets: ['agent--x'], base: 'main', head: 'HEAD~1' } },
    ],
    ['cache switches', ['--skip-nx-cache', '--skip-remote-cache'], { skipNxCache: true, skipRemoteCache: true }],
  ])('%s', (_name, args, expected) => expect(parsePlanArguments(args, 'agent')).toMatchObject(expected));

  it.each([
    [['--paralel=3'], /Unknown option '--paralel'/],
    [['--parallel=0'], /--parallel must be a positive number or "unlimited"/],
    [['agent'], /unexpected argument "agent": name targets with -t/],
  ])('refuses %j', (args, message) => {
    expect(() => parsePlanArguments(args, 'agent')).toThrow(UsageError);
    expect(() => parsePlanArguments(args, 'agent')).toThrow(message);
  });
});

describe('selectionFromNxArgv', () => {
  const nx = (...args: string[]) => ['/usr/bin/node', '/w/node_modules/nx/bin/nx.js', ...args];
  it.each<[string, string[], object | undefined]>([
    ['run-many', nx('run-many', '-t', 'agent', '--parallel=3', '--verbose'), { selection: { command: 'run-many', targets: ['agent'] }, parallel: 3 }],
    [
      'run-many with projects',
      nx('run-many', '--targets=agent,build', '--projects', 'a,b'),
      { selection: { targets: ['agent', 'build'], projects: ['a', 'b'] } },
    ],
    [
      'lists the way yargs reads them',
      nx('run-many', '-t', 'agent', 'build', '--projects', 'a', 'b', '--parallel', '2'),
      { selection: { targets: ['agent', 'build'], projects: ['a', 'b'] }, parallel: 2 },
    ],
    ['affected', nx('affected', '-t', 'agent', '--base=origin/main'), { selection: { command: 'affected', targets: ['agent'], base: 'origin/main' } }],
    ['run project:target', nx('run', 'app:agent--x:ci'), { selection: { command: 'run', targets: ['agent--x'], projects: ['app'], configuration: 'ci' } }],
    ['project:target', nx('app:agent'), { selection: { command: 'run', targets: ['agent'], projects: ['app'] } }],
    ['target project', nx('agent', 'app'), { selection: { command: 'run', targets: ['agent'], projects: ['app'] } }],
    ['a command that runs no tasks', nx('graph', '--file=g.json'), undefined],
    ['bare nx', nx(), undefined],
  ])('%s', (_name, argv, expected) => {
    const selection = selectionFromNxArgv(argv);
    if (expected === undefined) expect(selection).toBeUndefined();
    else expect(selection).toMatchObject(expected);
  });
});
