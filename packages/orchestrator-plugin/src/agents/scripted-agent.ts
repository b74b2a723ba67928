import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { AgentError, defineAgentAdapter, type AgentAdapter } from './agent-adapter';
import { isReallyInside } from './real-path-inside';
import { abortableSleep } from '../limits/abortable-sleep';

/**
 * The built-in deterministic agent: it calls no model. It waits for the script's duration,
 * writes the script's files, and reports the script's summary, or fails as the script says.
 * Its token counts are an estimate (a fixed function of the prompt and summary length, so
 * runs are repeatable), marked as such; cost is always 0. Everything it reports is labelled
 * `scripted`. It can resume its session: a verify follow-up gets the script's next `followUps` entry.
 */
export function createScriptedAgent(): AgentAdapter {
  return defineAgentAdapter({
    provider: 'scripted',
    retryBaseDelayMs: 100,
    runsInProcess: true,
    async run(request) {
      const script = request.providerOptions?.scripted?.script ?? {};
      request.onEvent({ type: 'status', message: 'scripted agent: follows its script, calls no model' });
      request.onEvent({ type: 'turn', turn: 1 });
      await abortableSleep(script.duration ?? 0, request.signal);
      if (request.signal.aborted) throw new AgentError('scripted agent stopped: the run was aborted', { isRetryable: false });
      const inputTokens = Math.ceil(((request.systemPrompt ?? '').length + request.prompt.length) / 4);
      // A failed attempt has read its prompt too: its estimate counts, as a real agent's tokens would.
      const failedUsage = { inputTokens, outputTokens: 0, costUsd: 0, estimated: true };
      if (script.fail !== undefined) throw new AgentError(`scripted failure: ${script.fail}`, { isRetryable: false, exitCode: 1, usage: failedUsage });
      if (request.attempt <= (script.failAttempts ?? 0)) {
        throw new AgentError(`scripted transient failure on attempt ${request.attempt} of the first ${script.failAttempts} (like a 503 overload)`, {
          isRetryable: true,
          statusCode: 503,
          usage: failedUsage,
        });
      }
      // A verify follow-up resumes the session of the turn before (`scripted:<task>:<turn>`) and follows its followUps entry.
      const previousTurn = request.resumeSessionId ? Number(request.resumeSessionId.split(':').pop()) || 0 : 0;
      const followUps = script.followUps ?? [];
      const step = previousTurn && followUps.length ? followUps[Math.min(previousTurn, followUps.length) - 1] : script;
      const filesWritten: string[] = [];
      for (const [path, content] of Object.entries(step.files ?? {})) {
        const absolute = resolveScriptPath(request.cwd, request.projectRoot, path);
        request.onEvent({ type: 'tool', name: 'Write', detail: relative(request.cwd, absolute) });
        await mkdir(dirname(absolute), { recursive: true });
        await writeFile(absolute, content);
        const written = relative(request.cwd, absolute).split('\\').join('/');
        filesWritten.push(written);
        request.onEvent({ type: 'file', path: written });
      }
      const summary = step.summary ?? `Scripted agent finished task "${request.taskId}" (no model was called).`;
      const outputTokens = Math.ceil(summary.length / 4) + filesWritten.length * 20;
      request.onEvent({ type: 'usage', inputTokens, outputTokens });
      const sessionId = `scripted:${request.taskId}:${previousTurn + 1}`;
      return { summary, model: 'scripted', turns: 1, inputTokens, outputTokens, costUsd: 0, estimated: true, filesWritten, sessionId };
    },
  });
}

/**
 * Script paths are relative to the project unless they start with `{workspaceRoot}/`; none may
 * leave the workspace, by name (`..`, absolute) or on disk (a symbolic link inside it that
 * points outside).
 */
function resolveScriptPath(workspaceRoot: string, projectRoot: string, path: string): string {
  const withTokens = path.replace(/^\{workspaceRoot\}\//, '').replace(/^\{projectRoot\}\//, `${projectRoot}/`);
  const relativePath = path.startsWith('{workspaceRoot}/') ? withTokens : path.startsWith('{projectRoot}/') ? withTokens : posix.join(projectRoot, path);
  const absolute = resolve(workspaceRoot, relativePath);
  const inside = relative(workspaceRoot, absolute);
  // `..` as a whole segment leaves the workspace; a name like `..hidden` does not.
  if (isAbsolute(path) || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new AgentError(`scripted agent refuses to write "${path}": outside the workspace`, { isRetryable: false });
  }
  const target = join(workspaceRoot, inside);
  if (!isReallyInside(workspaceRoot, target)) {
    throw new AgentError(`scripted agent refuses to write "${path}": a symbolic link on the way leads outside the workspace`, { isRetryable: false });
  }
  return target;
}
