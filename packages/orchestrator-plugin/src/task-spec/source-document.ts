import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { jsonPositions, type JsonPosition } from './json-positions';

type PathSegment = string | number | symbol;

/**
 * The text of a spec (a whole JSON/YAML file, or a frontmatter block) that can answer
 * "on which line is this value?" for error messages. Parsed for positions only when asked.
 */
export class SourceDocument {
  private lineCounter?: LineCounter;
  private document?: ReturnType<typeof parseDocument>;
  /** Key -> offset per mapping, built on first look-up: 20,000 unknown keys must not cost 20,000 scans. */
  private readonly keyOffsets = new WeakMap<object, Map<string, { offset?: number; value: unknown }>>();

  private json?: JsonPosition;
  private lineStarts?: number[];

  /**
   * @param lineOffset lines before `text` in its file (a frontmatter starts on line 2).
   * @param language `json` when the text is valid JSON: positions then come from one linear scan.
   */
  constructor(
    private readonly text: string,
    private readonly lineOffset = 0,
    private readonly language: 'json' | 'yaml' = 'yaml',
  ) {}

  /** 1-based file line of the key (for a map entry) or item (for a list entry) at `path`. */
  lineOf(path: readonly PathSegment[]): number | undefined {
    if (this.language === 'json') return this.jsonLineOf(path);
    if (!this.document) {
      this.lineCounter = new LineCounter();
      this.document = parseDocument(this.text, { lineCounter: this.lineCounter, uniqueKeys: false });
    }
    let node: unknown = this.document.contents;
    let offset: number | undefined = rangeStart(node);
    for (const segment of path) {
      if (isMap(node)) {
        const pair = this.keysOf(node).get(String(segment));
        if (!pair) break;
        offset = pair.offset ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
        offset = rangeStart(node) ?? offset;
      } else {
        break;
      }
    }
    if (offset === undefined || !this.lineCounter) return undefined;
    return this.lineCounter.linePos(offset).line + this.lineOffset;
  }

  private keysOf(node: { items: Array<{ key: unknown; value: unknown }> }): Map<string, { offset?: number; value: unknown }> {
    let keys = this.keyOffsets.get(node);
    if (!keys) {
      keys = new Map();
      for (const item of node.items) {
        // The first of duplicate keys, as a linear search would find.
        if (isScalar(item.key) && !keys.has(String(item.key.value))) keys.set(String(item.key.value), { offset: rangeStart(item.key), value: item.value });
      }
      this.keyOffsets.set(node, keys);
    }
    return keys;
  }

  private jsonLineOf(path: readonly PathSegment[]): number | undefined {
    this.json ??= jsonPositions(this.text);
    let node = this.json;
    for (const segment of path) {
      const child = typeof segment === 'symbol' ? undefined : node.children?.get(String(segment));
      if (!child) break;
      node = child;
    }
    return this.lineOfOffset(node.offset);
  }

  /** Binary search over line starts, computed once. */
  private lineOfOffset(offset: number): number {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let index = this.text.indexOf('\n'); index >= 0; index = this.text.indexOf('\n', index + 1)) this.lineStarts.push(index + 1);
    }
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1 + this.lineOffset;
  }

  /** 1-based file line of a character offset into `text`. */
  lineAtOffset(offset: number): number {
    let line = 1;
    for (let index = 0; index < offset && index < this.text.length; index++) {
      if (this.text[index] === '\n') line++;
    }
    return line + this.lineOffset;
  }
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range?.[0];
}
