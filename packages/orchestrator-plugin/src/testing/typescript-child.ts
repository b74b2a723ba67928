import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Starts a Node process that runs `script` (JavaScript) with this package's TypeScript sources
 * loadable by `require`: each `.ts` file is transpiled on load (typescript's transpileModule,
 * no type check). For tests of what happens to a real process: an exit, a signal, a SIGKILL.
 * The script's stdout is piped; stdin is ignored.
 */
export function startTypeScriptChild(script: string, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  const register = `
    const typescript = require(${JSON.stringify(require.resolve('typescript'))});
    const { readFileSync } = require('node:fs');
    require.extensions['.ts'] = (module, filename) => {
      const { outputText } = typescript.transpileModule(readFileSync(filename, 'utf8'), {
        fileName: filename,
        compilerOptions: { module: typescript.ModuleKind.CommonJS, target: typescript.ScriptTarget.ES2022, esModuleInterop: true },
      });
      module._compile(outputText, filename);
    };
  `;
  return spawn(process.execPath, ['-e', `${register}\n${script}`], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The first stdout line of a child, once it is printed. */
export function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    child.stdout!.on('data', (chunk) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline >= 0) resolve(buffered.slice(0, newline));
    });
    child.on('exit', (code) => reject(new Error(`the child exited (${code}) before printing a line: ${stderr}`)));
  });
}
