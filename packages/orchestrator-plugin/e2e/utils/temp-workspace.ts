import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr, without colour codes. */
  output: string;
}

/** A real Nx workspace in a temp folder with the packed plugin installed. */
export interface TempWorkspace {
  root: string;
  write(path: string, content: string | object): void;
  read(path: string): string;
  exists(path: string): boolean;
  readJson<T = any>(path: string): T;
  /** Runs the real nx CLI in the workspace (no daemon, no TUI, CI output). */
  nx(args: string[], options?: { env?: Record<string, string> }): Promise<CommandResult>;
  git(args: string[]): string;
}

/** The plugin registration most tests use: the offline scripted agent as the default. */
export const SCRIPTED_NX_JSON = { analytics: false, plugins: [{ plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'scripted' } }] };

/**
 * Creates a workspace with `files` (path -> content; objects are written as JSON), an
 * nx.json registering the plugin unless given, and a first git commit.
 */
export function createTempWorkspace(files: Record<string, string | object>, nxJson: object = SCRIPTED_NX_JSON): TempWorkspace {
  if (!process.env.E2E_PLUGIN_MODULES)
    throw new Error('E2E_PLUGIN_MODULES is not set: run the e2e tests through e2e/jest.config.js (its global setup packs the plugin)');
  const workspace = openWorkspace(mkdtempSync(join(tmpdir(), 'nx-agent-e2e-')));
  workspace.write('nx.json', nxJson);
  workspace.write('package.json', { name: 'e2e-workspace', private: true });
  workspace.write('.gitignore', 'node_modules\n.nx\n.agent-runs\n');
  for (const [path, content] of Object.entries(files)) workspace.write(path, content);
  workspace.git(['init', '-q', '-b', 'main']);
  workspace.git(['add', '-A']);
  workspace.git(['commit', '-qm', 'initial']);
  return workspace;
}

/** A fresh `git clone` of a temp workspace, as a second machine would have it (own node_modules link, own Nx cache). */
export function cloneTempWorkspace(origin: TempWorkspace): TempWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'nx-agent-e2e-clone-'));
  origin.git(['clone', '-q', origin.root, root]);
  return openWorkspace(root);
}

function openWorkspace(root: string): TempWorkspace {
  const modules = process.env.E2E_PLUGIN_MODULES!;
  if (!existsSync(join(root, 'node_modules'))) symlinkSync(modules, join(root, 'node_modules'));
  const write = (path: string, content: string | object) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  };
  const git = (args: string[]) => {
    const result = spawnSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 'e2e', GIT_AUTHOR_EMAIL: 'e2e@example.com', GIT_COMMITTER_NAME: 'e2e', GIT_COMMITTER_EMAIL: 'e2e@example.com' },
    });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  };
  return {
    root,
    write,
    read: (path) => readFileSync(join(root, path), 'utf8'),
    exists: (path) => existsSync(join(root, path)),
    readJson: (path) => JSON.parse(readFileSync(join(root, path), 'utf8')),
    nx: (args, options) =>
      runCommand(process.execPath, [join(root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), ...args], root, nxEnvironment(root, options?.env)),
    git,
  };
}

/**
 * The environment for a child nx: the caller's, minus anything that would point nx at
 * another workspace (NX_* set by an outer nx run) or make it behave as inside an agent.
 */
export function nxEnvironment(root: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(NX_|CLAUDE|CODEX_|GEMINI_CLI|CURSOR_|AGENT_ORCHESTRATOR_)/.test(name) || name === 'E2E_PLUGIN_MODULES') continue;
    environment[name] = value;
  }
  return {
    ...environment,
    CI: 'true',
    NX_DAEMON: 'false',
    NX_TUI: 'false',
    NX_NO_CLOUD: 'true',
    NX_CACHE_DIRECTORY: join(root, '.nx', 'cache'),
    FORCE_COLOR: '0',
    ...extra,
  };
}

/** Runs a command to completion, collecting its output (never throws on a non-zero exit). */
export function runCommand(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      // eslint-disable-next-line no-control-regex -- terminal colour codes start with ESC
      const strip = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');
      resolve({ code, stdout: strip(stdout), stderr: strip(stderr), output: strip(stdout + stderr) });
    });
  });
}
