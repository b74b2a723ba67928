import { tmpdir } from 'node:os';
import { minimatch } from 'minimatch';
import type { CreateNodesResultArray } from '@nx/devkit';
import { setUpPluginWorkspace } from '../testing/plugin-workspace';

// First, before anything loads Nx: this file gets a parse cache of its own.
const {
  plugin: { createNodes, createNodesV2, SPEC_GLOB },
  createWorkspace,
} = setUpPluginWorkspace();

/** Runs the real createNodes on the files of `root` that its glob matches, as Nx would. */
async function inferNodes(root: string, files: Record<string, unknown>): Promise<CreateNodesResultArray> {
  const specFiles = Object.keys(files).filter((file) => minimatch(file, SPEC_GLOB));
  const result = await createNodes[1](specFiles, {}, { workspaceRoot: root, nxJsonConfiguration: {} });
  expect(JSON.stringify(result)).not.toContain(root);
  expect(JSON.stringify(result)).not.toContain(tmpdir());
  return result;
}

const agentMarkdown = (frontmatter: string[], prompt: string) => ['---', ...frontmatter, '---', prompt, ''].join('\n');

describe('createNodes on a real workspace', () => {
  afterEach(() => jest.restoreAllMocks());

  it('is also exported under the deprecated name createNodesV2', () => {
    expect(createNodesV2).toBe(createNodes);
  });

  it('infers one project node per spec file, for all three formats, and prints nothing', async () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const files = {
      'apps/api/project.json': { name: 'api' },
      'apps/api/tasks/write-api.agent.md': agentMarkdown(
        ['dependsOn: [shared:schema]', 'inputs: [docs/api.md]', 'outputs: ["src/api/**"]'],
        '# Write the API\n\nDetails.',
      ),
      'libs/shared/package.json': { name: '@org/shared', nx: { name: 'shared' } },
      'libs/shared/agent-tasks.yaml': 'tasks:\n  - id: schema\n    prompt: Write the schema\n    after: [build]\n',
      'docs/specs/checkout/03-tasks.json': JSON.stringify(
        {
          slug: 'checkout-redesign',
          tasks: [
            { id: '1.1', subject: 'Plan', dependencies: [] },
            { id: '1.2', subject: 'Build', dependencies: ['1.1'] },
          ],
        },
        null,
        2,
      ),
    };
    const root = createWorkspace(files);
    const result = await inferNodes(root, files);
    expect(stderr).not.toHaveBeenCalled();
    expect(result).toMatchInlineSnapshot(`
[
  [
    "apps/api/tasks/write-api.agent.md",
    {
      "projects": {
        "apps/api": {
          "metadata": {
            "targetGroups": {
              "Agent tasks": [
                "agent",
                "agent--write-api",
              ],
            },
          },
          "root": "apps/api",
          "targets": {
            "agent": {
              "dependsOn": [
                "agent--*",
              ],
              "executor": "nx:noop",
              "metadata": {
                "description": "Run every agent task of api, each after what it depends on",
                "technologies": [
                  "ai-agents",
                ],
              },
            },
            "agent--write-api": {
              "cache": true,
              "dependsOn": [
                {
                  "projects": [
                    "shared",
                  ],
                  "target": "agent--schema",
                },
              ],
              "executor": "nx-agent-orchestrator:agent",
              "inputs": [
                "{workspaceRoot}/apps/api/tasks/write-api.agent.md",
                "{projectRoot}/docs/api.md",
                {
                  "dependentTasksOutputFiles": "**/*",
                  "transitive": true,
                },
                {
                  "env": "ANTHROPIC_BASE_URL",
                },
                {
                  "env": "ANTHROPIC_MODEL",
                },
                {
                  "env": "ANTHROPIC_SMALL_FAST_MODEL",
                },
                {
                  "env": "CLAUDE_CODE_USE_BEDROCK",
                },
                {
                  "env": "CLAUDE_CODE_USE_VERTEX",
                },
                {
                  "externalDependencies": [],
                },
              ],
              "metadata": {
                "agentTask": {
                  "agent": "claude-code",
                  "line": 1,
                  "provider": "claude-code",
                  "spec": "apps/api/tasks/write-api.agent.md",
                  "writes": [
                    "{projectRoot}/src/api/**",
                  ],
                },
                "description": "Write the API",
                "help": {
                  "command": "npx nx show project api --json",
                  "example": {},
                },
                "technologies": [
                  "ai-agents",
                ],
              },
              "options": {
                "spec": "apps/api/tasks/write-api.agent.md",
                "task": "write-api",
              },
              "outputs": [
                "{workspaceRoot}/.agent-runs/api/write-api",
                "{projectRoot}/src/api/**",
              ],
            },
          },
        },
      },
    },
  ],
  [
    "docs/specs/checkout/03-tasks.json",
    {
      "projects": {
        "docs/specs/checkout": {
          "metadata": {
            "targetGroups": {
              "Agent tasks": [
                "agent",
                "agent--1.1",
                "agent--1.2",
              ],
            },
          },
          "name": "checkout-redesign",
          "root": "docs/specs/checkout",
          "targets": {
            "agent": {
              "dependsOn": [
                "agent--*",
              ],
              "executor": "nx:noop",
              "metadata": {
                "description": "Run every agent task of checkout-redesign, each after what it depends on",
                "technologies": [
                  "ai-agents",
                ],
              },
            },
            "agent--1.1": {
              "cache": true,
              "executor": "nx-agent-orchestrator:agent",
              "inputs": [
                "{workspaceRoot}/docs/specs/checkout/03-tasks.json",
                {
                  "env": "ANTHROPIC_BASE_URL",
                },
                {
                  "env": "ANTHROPIC_MODEL",
                },
                {
                  "env": "ANTHROPIC_SMALL_FAST_MODEL",
                },
                {
                  "env": "CLAUDE_CODE_USE_BEDROCK",
                },
                {
                  "env": "CLAUDE_CODE_USE_VERTEX",
                },
                {
                  "externalDependencies": [],
                },
              ],
              "metadata": {
                "agentTask": {
                  "agent": "claude-code",
                  "line": 4,
                  "provider": "claude-code",
                  "spec": "docs/specs/checkout/03-tasks.json",
                },
                "description": "Plan",
                "help": {
                  "command": "npx nx show project checkout-redesign --json",
                  "example": {},
                },
                "technologies": [
                  "ai-agents",
                ],
              },
              "options": {
                "spec": "docs/specs/checkout/03-tasks.json",
                "task": "1.1",
              },
              "outputs": [
                "{workspaceRoot}/.agent-runs/checkout-redesign/1.1",
              ],
            },
            "agent--1.2": {
              "cache": true,
              "dependsOn": [
                "agent--1.1",
              ],
              "executor": "nx-agent-orchestrator:agent",
              "inputs": [
                "{workspaceRoot}/docs/specs/checkout/03-tasks.json",
                {
                  "dependentTasksOutputFiles": "**/*",
                  "transitive": true,
                },
                {
                  "env": "ANTHROPIC_BASE_URL",
                },
                {
                  "env": "ANTHROPIC_MODEL",
                },
                {
                  "env": "ANTHROPIC_SMALL_FAST_MODEL",
                },
                {
                  "env": "CLAUDE_CODE_USE_BEDROCK",
                },
                {
                  "env": "CLAUDE_CODE_USE_VERTEX",
                },
                {
                  "externalDependencies": [],
                },
              ],
              "metadata": {
                "agentTask": {
                  "agent": "claude-code",
                  "line": 9,
                  "provider": "claude-code",
                  "spec": "docs/specs/checkout/03-tasks.json",
                },
                "description": "Build",
                "help": {
                  "command": "npx nx show project checkout-redesign --json",
                  "example": {},
                },
                "technologies": [
                  "ai-agents",
                ],
              },
              "options": {
                "spec": "docs/specs/checkout/03-tasks.json",
                "task": "1.2",
              },
              "outputs": [
                "{workspaceRoot}/.agent-runs/checkout-redesign/1.2",
              ],
            },
          },
        },
      },
    },
  ],
  [
    "libs/shared/agent-tasks.yaml",
    {
      "projects": {
        "libs/shared": {
          "metadata": {
            "targetGroups": {
              "Agent tasks": [
                "agent",
                "agent--schema",
              ],
            },
          },
          "root": "libs/shared",
          "targets": {
            "agent": {
              "dependsOn": [
                "agent--*",
              ],
              "executor": "nx:noop",
              "metadata": {
                "description": "Run every agent task of shared, each after what it depends on",
                "technologies": [
                  "ai-agents",
                ],
              },
            },
            "agent--schema": {
              "cache": true,
              "dependsOn": [
                "build",
              ],
              "executor": "nx-agent-orchestrator:agent",
              "inputs": [
                "{workspaceRoot}/libs/shared/agent-tasks.yaml",
                {
                  "env": "ANTHROPIC_BASE_URL",
                },
                {
                  "env": "ANTHROPIC_MODEL",
                },
                {
                  "env": "ANTHROPIC_SMALL_FAST_MODEL",
                },
                {
                  "env": "CLAUDE_CODE_USE_BEDROCK",
                },
                {
                  "env": "CLAUDE_CODE_USE_VERTEX",
                },
                {
                  "externalDependencies": [],
                },
              ],
              "metadata": {
                "agentTask": {
                  "agent": "claude-code",
                  "line": 2,
                  "provider": "claude-code",
                  "spec": "libs/shared/agent-tasks.yaml",
                },
                "description": "Write the schema",
                "help": {
                  "command": "npx nx show project shared --json",
                  "example": {},
                },
                "technologies": [
                  "ai-agents",
                ],
              },
              "options": {
                "spec": "libs/shared/agent-tasks.yaml",
                "task": "schema",
              },
              "outputs": [
                "{workspaceRoot}/.agent-runs/shared/schema",
              ],
            },
          },
        },
      },
    },
  ],
]
`);
  });
});
