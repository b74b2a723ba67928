import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseVerifyCheck, type VerifyCheck } from '../../task-spec/verify-check';
import { followUpPrompt } from './follow-up-prompt';
import { runChecks } from './run-checks';
import { verificationLoop, type VerificationRound } from './verification-loop';

let folder: string;
beforeEach(() => (folder = mkdtempSync(join(tmpdir(), 'verification-loop-'))));
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const check = (written: string) => (parseVerifyCheck(written) as { ok: true; check: VerifyCheck }).check;

/** An "agent" that writes sum.js: wrong until it is told what failed, then right. */
function agent(rightFromRound: number) {
  const prompts: Array<string | undefined> = [];
  return {
    prompts,
    async run({ round, followUp }: { round: number; followUp?: { prompt: string } }) {
      prompts.push(followUp?.prompt);
      writeFileSync(join(folder, 'sum.js'), `module.exports = (a, b) => a ${round >= rightFromRound ? '+' : '-'} b;`);
      return { summary: `round ${round}` };
    },
  };
}

function loop(scripted: ReturnType<typeof agent>, attempts: number, signal = new AbortController().signal) {
  const rounds: Array<VerificationRound<{ summary: string }>> = [];
  const checks = [
    check(`node -e "const sum = require('./sum.js'); if (sum(1, 2) !== 3) { console.error('sum(1, 2) should be 3, got ' + sum(1, 2)); process.exit(1); }"`),
  ];
  const outcome = verificationLoop<{ summary: string }>({
    attempts,
    hasChecks: true,
    runAgent: (turn) => scripted.run(turn),
    runChecks: () => runChecks({ checks, values: { project: 'p', projectRoot: '.', workspaceRoot: folder, task: 't' }, cwd: folder, isolated: false, signal }),
    followUpPrompt: ({ checks: results, round }) => followUpPrompt({ checks: results, attempt: round, attempts, mode: 'resume', taskPrompt: 'Write sum' }),
    signal,
    onRound: (round) => rounds.push(round),
  });
  return { outcome, rounds };
}

describe('verificationLoop', () => {
  it('gives a failing check back to the agent and passes when the next turn fixes it', async () => {
    const scripted = agent(2);
    const { outcome, rounds } = loop(scripted, 2);
    const result = await outcome;
    expect(result.passed).toBe(true);
    expect(result.rounds.map((round) => [round.round, round.passed, round.result.summary])).toEqual([
      [1, false, 'round 1'],
      [2, true, 'round 2'],
    ]);
    expect(rounds).toEqual(result.rounds);
    expect(scripted.prompts[0]).toBeUndefined();
    expect(scripted.prompts[1]).toContain('sum(1, 2) should be 3, got -1');
    expect(scripted.prompts[1]).toContain('attempt 2 of 2');
  });

  it('fails after the last attempt when the checks never pass', async () => {
    const { outcome } = loop(agent(99), 3);
    const result = await outcome;
    expect(result).toMatchObject({ passed: false, stopped: false });
    expect(result.rounds.map((round) => round.passed)).toEqual([false, false, false]);
  });

  it('runs once and passes for a task without checks', async () => {
    const scripted = agent(99);
    const result = await verificationLoop({
      attempts: 2,
      hasChecks: false,
      runAgent: (turn) => scripted.run(turn),
      runChecks: () => Promise.reject(new Error('not called')),
      followUpPrompt: () => '',
      signal: new AbortController().signal,
    });
    expect(result).toMatchObject({ passed: true, stopped: false });
    expect(result.rounds).toHaveLength(1);
  });

  it('stops, without another turn, when the task is stopped', async () => {
    const controller = new AbortController();
    const scripted = agent(99);
    const run = scripted.run;
    scripted.run = async (turn) => {
      const result = await run(turn);
      controller.abort();
      return result;
    };
    const result = await loop(scripted, 3, controller.signal).outcome;
    expect(result).toMatchObject({ passed: false, stopped: true, rounds: [] });
    expect(scripted.prompts).toHaveLength(1);
  });
});
