/** Characters per token, the usual estimate for English text and code. */
export const CHARACTERS_PER_TOKEN = 4;

/** What a check printed, trimmed to its cap. */
export interface BoundedText {
  text: string;
  /** Lines left out of the middle (0 when nothing was). */
  omittedLines: number;
}

// The first error is usually near the top and the summary at the bottom: keep some of each,
// more of the end (test runners print their failures last).
const HEAD_SHARE = 0.3;

/**
 * Collects a process's output lines within a token cap while it runs, in bounded memory:
 * the first lines up to 30% of the cap, and a rolling window of the last lines for the rest,
 * with a marker saying how many lines were left out between them. Colour codes and carriage-
 * return redraws are dropped: they cost tokens and mean nothing to a model.
 */
export class BoundedOutput {
  private readonly headBudget: number;
  private readonly tailBudget: number;
  private readonly head: string[] = [];
  private headSize = 0;
  private headFull = false;
  private readonly tail: string[] = [];
  private tailSize = 0;
  private omitted = 0;

  constructor(maxTokens: number) {
    const characters = Math.max(1, Math.floor(maxTokens * CHARACTERS_PER_TOKEN));
    this.headBudget = Math.floor(characters * HEAD_SHARE);
    this.tailBudget = characters - this.headBudget;
  }

  push(rawLine: string): void {
    const line = this.shorten(cleanLine(rawLine));
    const size = line.length + 1;
    if (!this.headFull && this.headSize + size <= this.headBudget) {
      this.head.push(line);
      this.headSize += size;
      return;
    }
    this.headFull = true;
    this.tail.push(line);
    this.tailSize += size;
    while (this.tailSize > this.tailBudget && this.tail.length > 0) {
      const dropped = this.tail.shift()!;
      this.tailSize -= dropped.length + 1;
      this.omitted += 1;
    }
  }

  /** A line longer than the whole tail window (minified code, a base64 blob) keeps its end. */
  private shorten(line: string): string {
    const room = this.tailBudget - 1;
    if (line.length <= room) return line;
    const marker = `[${line.length - room} characters cut] `;
    return `${marker}${line.slice(line.length - Math.max(0, room - marker.length))}`;
  }

  /** The kept lines, with `[... N lines omitted ...]` where lines were left out. */
  result(): BoundedText {
    const lines = [...this.head];
    if (this.omitted > 0) lines.push(`[... ${this.omitted} line${this.omitted === 1 ? '' : 's'} omitted ...]`);
    lines.push(...this.tail);
    return { text: lines.join('\n').replace(/\n+$/, ''), omittedLines: this.omitted };
  }
}

/** A line without colour and cursor codes, as it last looked after any carriage-return redraws. */
function cleanLine(line: string): string {
  // eslint-disable-next-line no-control-regex -- terminal escape sequences start with ESC
  const plain = line.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\u001b\][^\u0007]*(\u0007|\u001b\\)/g, '');
  const redrawn = plain.lastIndexOf('\r', plain.length - 2);
  return (redrawn >= 0 ? plain.slice(redrawn + 1) : plain).replace(/\r$/, '');
}
