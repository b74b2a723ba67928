import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startModelServer, type ModelServer } from '../src/testing/model-server';
import { writeFileConversation } from '../src/testing/model-server/write-file-conversation';
import { createTempWorkspace, type TempWorkspace } from './utils/temp-workspace';

const CHECK_OUTPUT = 'E2E-CHECK: answer.txt is still broken';
// The output is built by the shell, so the first prompt (which lists the check) does not contain it.
const CHECK = 'grep -q fixed apps/p/answer.txt || { echo "E2E-CHECK: answer.txt is still $(echo broken)"; exit 3; }';

/**
 * The real claude CLI, through Nx, against the scripted model server: its first turn writes a
 * file the verify check rejects; the follow-up resumes the same session (--resume) with the
 * check's output, and the fixed file passes.
 */
describe('verify follow-up with claude-code', () => {
  let workspace: TempWorkspace;
  let models: ModelServer;
  let home: string;
  let output: string;

  beforeAll(async () => {
    workspace = createTempWorkspace(
      {
        'apps/p/project.json': { name: 'p' },
        'apps/p/tasks/answer.agent.md': `---\nagent: coder\ntimeout: 120s\noutputs: [answer.txt]\nverify:\n  - '${CHECK}'\n---\nE2E-VERIFY: write the answer.\n`,
      },
      {
        analytics: false,
        plugins: [{ plugin: 'nx-agent-orchestrator', options: { agents: { coder: { provider: 'claude-code', model: 'claude-sonnet-4-5', maxTurns: 4 } } } }],
      },
    );
    const answer = join(workspace.root, 'apps/p/answer.txt');
    models = await startModelServer({
      rules: [
        // The follow-up: its prompt carries the check's output.
        {
          when: { userTextIncludes: CHECK_OUTPUT },
          turns: writeFileConversation({ client: 'claude-code', filePath: answer, content: 'fixed\n', summary: 'Fixed the answer.' }),
        },
        {
          when: { userTextIncludes: 'E2E-VERIFY' },
          turns: writeFileConversation({ client: 'claude-code', filePath: answer, content: 'broken\n', summary: 'Wrote the answer.' }),
        },
      ],
    });
    home = mkdtempSync(join(tmpdir(), 'nx-agent-verify-home-'));
    const result = await workspace.nx(['run', 'p:agent--answer', '--output-style=static'], {
      env: {
        HOME: home,
        CLAUDE_CONFIG_DIR: join(home, '.claude'),
        ANTHROPIC_BASE_URL: models.url,
        ANTHROPIC_API_KEY: 'sk-ant-e2e-verify',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      },
    });
    output = result.output;
    expect({ code: result.code, output: result.code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
  });

  afterAll(async () => {
    await models?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("the follow-up request carries the check's output, in the resumed session that still holds the task", () => {
    const followUps = models.requests.filter((request) => request.conversation?.userTexts.some((text) => text.includes(CHECK_OUTPUT)));
    expect(followUps.length).toBeGreaterThan(0);
    const texts = followUps[0].conversation!.userTexts.join('\n');
    // Resumed: the first prompt is still in the conversation, and the follow-up does not restate it.
    expect(texts).toContain('E2E-VERIFY: write the answer.');
    expect(texts).not.toContain('## A previous attempt at this task');
    expect(texts).toContain('attempt 2 of 2');
  });

  it('the fixed file passes: success with both rounds recorded, the second a resumed session', () => {
    expect(workspace.read('apps/p/answer.txt')).toBe('fixed\n');
    const record = workspace.readJson('.agent-runs/p/answer/result.json');
    expect(record).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      summary: 'Fixed the answer.',
      verification: {
        passed: true,
        rounds: [
          { round: 1, turn: 'first', passed: false },
          { round: 2, turn: 'resumed', passed: true },
        ],
      },
    });
    expect(record.verification.rounds[0].checks[0].output).toBe(CHECK_OUTPUT);
    expect(output).toContain('verify failed');
  });
});
