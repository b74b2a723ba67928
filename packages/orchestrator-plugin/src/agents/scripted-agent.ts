import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { AgentError, type AgentAdapter, type AgentRunRequest, type AgentRunResult } from './agent-adapter';
import { abortableSleep } from './retry';

/**
 * The built-in deterministic agent: it calls no model. It waits for the script's duration,
 * writes the script's files, and reports the script's summary, or fails as the script says.
 * Token counts are a fixed function of the prompt and summary length, so runs are
 * repeatable; cost is always 0. Everything it reports is labelled `scripted`.
 */
export function createScriptedAgent(): AgentAdapter {
  return {
    provider: 'scripted',
    retryBaseDelayMs: 100,
    async run(request: AgentRunRequest): Promise<AgentRunResult> {
      const script = request.script ?? {};
      request.onEvent({ type: 'status', message: 'scripted agent: follows its script, calls no model' });
      request.onEvent({ type: 'turn', turn: 1 });
      await abortableSleep(script.duration ?? 0, request.signal);
      if (request.signal.aborted) throw new AgentError('scripted agent stopped: the run was aborted', { isRetryable: false });
      if (script.fail !== undefined) throw new AgentError(`scripted failure: ${script.fail}`, { isRetryable: false, exitCode: 1 });
      if (request.attempt <= (script.failAttempts ?? 0)) {
        throw new AgentError(`scripted transient failure on attempt ${request.attempt} of the first ${script.failAttempts} (like a 503 overload)`, {
          isRetryable: true,
          statusCode: 503,
        });
      }
      const filesWritten: string[] = [];
      for (const [path, content] of Object.entries(script.files ?? {})) {
        const absolute = resolveScriptPath(request.cwd, request.projectRoot, path);
        request.onEvent({ type: 'tool', name: 'Write', detail: relative(request.cwd, absolute) });
        await mkdir(dirname(absolute), { recursive: true });
        await writeFile(absolute, content);
        const written = relative(request.cwd, absolute).split('\\').join('/');
        filesWritten.push(written);
        request.onEvent({ type: 'file', path: written });
      }
      const summary = script.summary ?? `Scripted agent finished task "${request.taskId}" (no model was called).`;
      const inputTokens = Math.ceil(((request.systemPrompt ?? '').length + request.prompt.length) / 4);
      const outputTokens = Math.ceil(summary.length / 4) + filesWritten.length * 20;
      request.onEvent({ type: 'usage', inputTokens, outputTokens });
      return { summary, model: 'scripted', turns: 1, inputTokens, outputTokens, costUsd: 0, filesWritten };
    },
  };
}

/** Script paths are relative to the project unless they start with `{workspaceRoot}/`; none may leave the workspace. */
function resolveScriptPath(workspaceRoot: string, projectRoot: string, path: string): string {
  const withTokens = path.replace(/^\{workspaceRoot\}\//, '').replace(/^\{projectRoot\}\//, `${projectRoot}/`);
  const relativePath = path.startsWith('{workspaceRoot}/') ? withTokens : path.startsWith('{projectRoot}/') ? withTokens : posix.join(projectRoot, path);
  const absolute = resolve(workspaceRoot, relativePath);
  const inside = relative(workspaceRoot, absolute);
  // `..` as a whole segment leaves the workspace; a name like `..hidden` does not.
  if (isAbsolute(path) || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new AgentError(`scripted agent refuses to write "${path}": outside the workspace`, { isRetryable: false });
  }
  return join(workspaceRoot, inside);
}
