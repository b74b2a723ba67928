import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAgentGraph } from '../../graph/agent-graph';
import { AGENT_TARGET_OPTION_NAMES } from '../../task-spec/agent-target';
import { parseSpecFile } from '../../task-spec/parse-spec-file';
import { normalizePluginOptions } from '../../task-spec/plugin-options';

const schema = JSON.parse(readFileSync(join(__dirname, 'schema.json'), 'utf8')) as { properties: Record<string, unknown>; required: string[] };

describe('the agent executor schema', () => {
  it('lists exactly the options of AgentTargetOptions', () => {
    expect(Object.keys(schema.properties).sort()).toEqual([...AGENT_TARGET_OPTION_NAMES].sort());
    expect(schema.required).toEqual(['spec']);
  });

  it('covers every option the graph layer puts on a target (valid, profile-digest and error targets)', () => {
    const files = [
      parseSpecFile('apps/api/design.agent.md', '---\nagent: architect\n---\nDesign.\n'),
      parseSpecFile('apps/api/broken.agent.md', '---\nretries: many\n---\nBroken.\n'),
    ];
    const options = normalizePluginOptions({ agents: { architect: { provider: 'scripted' } } });
    const graph = buildAgentGraph(
      files.map((parsed) => ({ parsed, project: { name: 'api', root: 'apps/api', inferred: false } })),
      options,
    );
    const used = new Set(graph.files.flatMap((file) => Object.values(file.targets)).flatMap((target) => Object.keys(target.options ?? {})));
    expect([...used].sort()).toEqual(['error', 'profile', 'spec', 'task']);
    for (const name of used) expect(schema.properties).toHaveProperty(name);
  });
});
