import type { AgentRunRequest } from '../agents/agent-adapter';
import type { ModelScript } from './model-server';

/** The task whose model reply `writeHelloScript` scripts: the prompt and system prompt a run sends. */
export const WRITE_HELLO_TASK = { prompt: 'Write hello.txt please', systemPrompt: 'You are the coder.' } satisfies Partial<AgentRunRequest>;

/**
 * Two model turns: a `write_file` call that writes "hi there" to `path` (with the text
 * "Writing it."), then the final answer "Wrote hello.txt.". The default path lies in the
 * project `apps/a`; tests pass another to try paths the tools must refuse.
 */
export function writeHelloScript(path = 'apps/a/hello.txt'): ModelScript {
  return {
    turns: [
      { type: 'tool-call', name: 'write_file', input: { path, content: 'hi there' }, text: 'Writing it.' },
      { type: 'text', text: 'Wrote hello.txt.' },
    ],
  };
}
