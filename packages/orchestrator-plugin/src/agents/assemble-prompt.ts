/** A finished upstream task's handoff: its final summary, never its transcript. */
export interface UpstreamSummary {
  task: string;
  summary: string;
}

/** Caps that keep the handoff from crowding out the task itself. */
export const PROMPT_LIMITS = { summaryCharacters: 4_000, totalUpstreamCharacters: 16_000 };

/**
 * The prompt an agent receives: the task prompt, the context files it should read, and the
 * final summaries of the tasks it depends on, each capped in size.
 */
export function assemblePrompt(taskPrompt: string, contextFiles: readonly string[], upstream: readonly UpstreamSummary[]): string {
  const sections = [taskPrompt.trim()];
  if (contextFiles.length) {
    sections.push(['## Context files', 'Read these before you start:', ...contextFiles.map((file) => `- ${file}`)].join('\n'));
  }
  if (upstream.length) {
    let budget = PROMPT_LIMITS.totalUpstreamCharacters;
    const parts = ['## Results of the tasks this one depends on'];
    for (const { task, summary } of upstream) {
      const trimmed = summary.trim();
      const capped = truncate(trimmed, Math.min(PROMPT_LIMITS.summaryCharacters, Math.max(budget, 0)));
      budget -= capped.length;
      parts.push(`### ${task}\n${capped || (trimmed ? '(summary left out: the handoff size limit was reached)' : '(no summary)')}`);
    }
    sections.push(parts.join('\n\n'));
  }
  return sections.join('\n\n');
}

function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const marker = '\n[... truncated]';
  return limit <= marker.length ? '' : text.slice(0, limit - marker.length) + marker;
}
