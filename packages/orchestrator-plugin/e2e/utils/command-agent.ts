import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A stand-in agent for the `command` provider: reads its prompt on stdin, logs each
 * invocation to $AGENT_INVOCATIONS (outside the workspace, so no cache restores it), writes
 * the files named by `WRITE <path>` lines, fails while a `FAIL WHILE <path> EXISTS` file
 * exists, and answers `summary of <id>`. Prompts start with `TASK <id>`.
 */
export const COMMAND_AGENT_SCRIPT = `
const fs = require('fs');
const path = require('path');
const prompt = fs.readFileSync(0, 'utf8');
const id = /^TASK (\\S+)/m.exec(prompt)[1];
fs.appendFileSync(process.env.AGENT_INVOCATIONS, id + '\\n');
for (const [, file] of prompt.matchAll(/^WRITE (\\S+)$/gm)) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'written by ' + id + '\\n');
}
const flag = /^FAIL WHILE (\\S+) EXISTS$/m.exec(prompt);
if (flag && fs.existsSync(flag[1])) { console.error('refusing: ' + flag[1] + ' exists'); process.exit(1); }
console.log('summary of ' + id);
`;

/** nx.json registering the plugin with the stand-in agent (script at tools/agent.js) as the default. */
export const COMMAND_AGENT_NX_JSON = {
  analytics: false,
  plugins: [
    {
      plugin: 'nx-agent-orchestrator',
      options: { defaultAgent: 'node-agent', agents: { 'node-agent': { provider: 'command', command: ['node', 'tools/agent.js'] } } },
    },
  ],
};

/** A `*.agent.md` for the stand-in agent. */
export function commandAgentTask(id: string, frontmatter: string[], body: string[] = []): string {
  return `---\n${frontmatter.join('\n')}\n---\nTASK ${id}\n${body.join('\n')}\n`;
}

/** A fresh invocation log; `since(n)` lists the ids invoked after the first n, sorted. */
export function invocationLog(): { path: string; count(): number; since(count: number): string[] } {
  const path = join(mkdtempSync(join(tmpdir(), 'nx-agent-invocations-')), 'log');
  writeFileSync(path, '');
  const lines = () => readFileSync(path, 'utf8').split('\n').filter(Boolean);
  return { path, count: () => lines().length, since: (count) => lines().slice(count).sort() };
}
