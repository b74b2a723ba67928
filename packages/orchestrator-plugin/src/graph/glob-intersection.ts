import { GLOBSTAR, Minimatch } from 'minimatch';

/**
 * Whether two workspace-relative glob patterns can match a common path, and one such path.
 * minimatch parses the patterns (brace expansion, path segments, `**`); on top of that parse,
 * a small product automaton decides the intersection, segment by segment and, inside a
 * segment, character by character. A pattern without glob characters stands for that path
 * and everything below it (Nx reads a literal output as a file or a folder).
 *
 * Sound for conflict checks: where a construct is too rich to reason about (extglobs such as
 * `+(a|b)`, POSIX classes), that segment is taken to match any name, so an overlap is never
 * missed; it may then report one that is not there.
 */
export function globIntersection(first: string, second: string): string | undefined {
  return intersectGlobs(parseGlob(first), parseGlob(second));
}

/** A pattern parsed once, for many intersections: its alternatives (braces expanded) as segment lists. */
export interface ParsedGlob {
  pattern: string;
  /** Whether it holds any glob character (else it names one path and what is below it). */
  magic: boolean;
  alternatives: Segment[][];
}

/** Parses a workspace-relative pattern with minimatch, once. */
export function parseGlob(pattern: string): ParsedGlob {
  const normalized = pattern.replace(/^\.\//, '').replace(/\/+$/, '');
  // Most writes and inputs are plain paths: read without minimatch, whose parse costs ~0.1 ms a pattern.
  if (!/[*?[\]{}()!+@\\]/.test(normalized)) {
    const segments = normalized.split('/').filter((segment) => segment && segment !== '.');
    return { pattern, magic: false, alternatives: [segments, [...segments, ANY_NAME, GLOBSTAR]] };
  }
  // And `folder/**`, the other common form.
  const folder = /^([^*?[\]{}()!+@\\]*)\/\*\*$/.exec(normalized);
  if (folder) {
    const segments = folder[1].split('/').filter((segment) => segment && segment !== '.');
    if (segments.length) return { pattern, magic: true, alternatives: [[...segments, ANY_NAME, GLOBSTAR]] };
  }
  const matcher = new Minimatch(normalized, { dot: true });
  return { pattern, magic: matcher.hasMagic(), alternatives: expand(matcher) };
}

/** {@link globIntersection} on parsed patterns. */
export function intersectGlobs(first: ParsedGlob, second: ParsedGlob): string | undefined {
  for (const left of first.alternatives) {
    for (const right of second.alternatives) {
      const witness = intersectPaths(left, right);
      if (witness !== undefined) return witness;
    }
  }
  return undefined;
}

/** Whether a pattern holds any glob character (else it names one path). */
export function hasMagic(pattern: string): boolean {
  return new Minimatch(pattern, { dot: true }).hasMagic();
}

/** One path segment: a literal name, `**`, or the tokens of a glob name. */
export type Segment = string | typeof GLOBSTAR | Token[];

export interface CharacterSet {
  kind: 'set';
  /** Returns whether the character is in the set. */
  has: (character: string) => boolean;
  /** Characters worth trying first when looking for one both sets hold. */
  candidates: string[];
}
export type Token = CharacterSet | { kind: 'star' };

const ANY_NAME: Token[] = [{ kind: 'star' }];
const FALLBACK_CHARACTERS = [...'xabcdefghijklmnopqrstuvwyz0123456789_-.ABCDEFGHIJKLMNOPQRSTUVWXYZ'];

/** The pattern's alternatives (braces expanded), each as a list of segments. */
function expand(matcher: Minimatch): Segment[][] {
  const alternatives: Segment[][] = matcher.set.map((parts) => {
    const segments = parts.map(toSegment);
    // As minimatch reads it, `dir/**` matches what is below `dir`, not `dir` itself.
    return segments.length > 1 && segments.at(-1) === GLOBSTAR ? [...segments.slice(0, -1), ANY_NAME, GLOBSTAR] : segments;
  });
  // A literal path is also the folder of everything below it.
  if (!matcher.hasMagic()) alternatives.push([...alternatives[0], ANY_NAME, GLOBSTAR]);
  return alternatives;
}

function toSegment(part: string | RegExp | typeof GLOBSTAR): Segment {
  if (part === GLOBSTAR) return GLOBSTAR;
  if (typeof part === 'string') return part;
  const source = (part as RegExp & { _glob?: string })._glob;
  return source === undefined ? ANY_NAME : tokenize(source);
}

/** The tokens of one segment's glob: literal characters, `?`, `[...]` and `*`. */
function tokenize(glob: string): Token[] {
  // Extglobs (`@(a|b)`, `+(x)`, ...) are rare in task specs: read conservatively as any name.
  if (/[@!+*?]\(/.test(glob)) return ANY_NAME;
  const tokens: Token[] = [];
  for (let index = 0; index < glob.length; index++) {
    const character = glob[index];
    if (character === '*') {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (character === '?') {
      tokens.push({ kind: 'set', has: (candidate) => candidate !== '/', candidates: [] });
    } else if (character === '[') {
      const end = classEnd(glob, index);
      if (end < 0) tokens.push(literal('['));
      else {
        tokens.push(characterClass(glob.slice(index + 1, end)));
        index = end;
      }
    } else if (character === '\\' && index + 1 < glob.length) {
      tokens.push(literal(glob[++index]));
    } else {
      tokens.push(literal(character));
    }
  }
  return tokens;
}

function literal(character: string): CharacterSet {
  return { kind: 'set', has: (candidate) => candidate === character, candidates: [character] };
}

/** The index of the `]` closing the class opened at `start`, or -1. */
function classEnd(glob: string, start: number): number {
  let index = start + 1;
  if (glob[index] === '!' || glob[index] === '^') index++;
  if (glob[index] === ']') index++;
  for (; index < glob.length; index++) {
    if (glob[index] === '\\') index++;
    else if (glob[index] === ']') return index;
  }
  return -1;
}

/** `[abc]`, `[a-z]`, `[!x]`; a POSIX class (`[[:alpha:]]`) is read as any character. */
function characterClass(body: string): CharacterSet {
  if (body.includes('[:')) return { kind: 'set', has: (candidate) => candidate !== '/', candidates: [] };
  const negated = body.startsWith('!') || body.startsWith('^');
  const members = negated ? body.slice(1) : body;
  const ranges: Array<[string, string]> = [];
  for (let index = 0; index < members.length; index++) {
    let low = members[index];
    if (low === '\\' && index + 1 < members.length) low = members[++index];
    if (members[index + 1] === '-' && index + 2 < members.length) {
      let high = members[index + 2];
      index += 2;
      if (high === '\\' && index + 1 < members.length) high = members[++index];
      ranges.push([low, high]);
    } else ranges.push([low, low]);
  }
  const inRanges = (candidate: string) => ranges.some(([low, high]) => candidate >= low && candidate <= high);
  return {
    kind: 'set',
    has: (candidate) => candidate !== '/' && inRanges(candidate) !== negated,
    candidates: ranges.flatMap(([low, high]) => [low, high]),
  };
}

/** A character both sets hold, if there is one worth finding. */
function commonCharacter(first: CharacterSet | undefined, second: CharacterSet | undefined, notDot: boolean): string | undefined {
  const candidates = [...(first?.candidates ?? []), ...(second?.candidates ?? []), ...FALLBACK_CHARACTERS];
  return candidates.find(
    (candidate) => candidate !== '/' && !(notDot && candidate === '.') && (first?.has(candidate) ?? true) && (second?.has(candidate) ?? true),
  );
}

/**
 * A non-empty segment name matched by both token lists, found by a breadth-first walk over
 * pairs of positions (a `*` either matches nothing and steps on, or eats one character and stays).
 */
function intersectSegments(first: readonly Token[], second: readonly Token[]): string | undefined {
  // A name that does not start with a dot reads better ("x.ts", not ".ts"): looked for first.
  return intersectSegmentsFrom(first, second, true) ?? intersectSegmentsFrom(first, second, false);
}

function intersectSegmentsFrom(first: readonly Token[], second: readonly Token[], avoidLeadingDot: boolean): string | undefined {
  const start = '0,0,0';
  const previous = new Map<string, { from: string; character: string }>([[start, { from: '', character: '' }]]);
  const queue: Array<[number, number, number]> = [[0, 0, 0]];
  const visit = (from: string, to: [number, number, number], character: string) => {
    const key = to.join(',');
    if (previous.has(key)) return;
    previous.set(key, { from, character });
    queue.push(to);
  };
  while (queue.length) {
    const [i, j, consumed] = queue.shift()!;
    const key = `${i},${j},${consumed}`;
    if (i === first.length && j === second.length && consumed) return spell(previous, key);
    const a = first[i];
    const b = second[j];
    if (a?.kind === 'star') visit(key, [i + 1, j, consumed], '');
    if (b?.kind === 'star') visit(key, [i, j + 1, consumed], '');
    if (!a || !b) continue;
    // Each side eats one character: a star stays where it is, a set steps on.
    const setA = a.kind === 'set' ? a : undefined;
    const setB = b.kind === 'set' ? b : undefined;
    const character = commonCharacter(setA, setB, avoidLeadingDot && !consumed);
    // Two stars eating together only matter for the first character (a segment is never empty).
    if (character !== undefined && (setA || setB || !consumed)) visit(key, [setA ? i + 1 : i, setB ? j + 1 : j, 1], character);
  }
  return undefined;
}

function spell(previous: ReadonlyMap<string, { from: string; character: string }>, end: string): string {
  let text = '';
  for (let key = end; key !== '0,0,0'; key = previous.get(key)!.from) text = previous.get(key)!.character + text;
  return text;
}

/** A path matched by both segment lists (`**` matches zero or more segments). */
function intersectPaths(first: readonly Segment[], second: readonly Segment[]): string | undefined {
  const previous = new Map<string, { from: string; segment?: string }>([['0,0', { from: '' }]]);
  const queue: Array<[number, number]> = [[0, 0]];
  const visit = (from: string, to: [number, number], segment?: string) => {
    const key = to.join(',');
    if (previous.has(key)) return;
    previous.set(key, { from, segment });
    queue.push(to);
  };
  while (queue.length) {
    const [i, j] = queue.shift()!;
    const key = `${i},${j}`;
    if (i === first.length && j === second.length) return spellPath(previous, key);
    const a = first[i];
    const b = second[j];
    if (a === GLOBSTAR) visit(key, [i + 1, j]);
    if (b === GLOBSTAR) visit(key, [i, j + 1]);
    if (a === undefined || b === undefined) continue;
    if (a === GLOBSTAR && b === GLOBSTAR) continue;
    // A globstar eats one segment of the other side and stays.
    const segment = intersectSegments(tokensOf(a), tokensOf(b));
    if (segment !== undefined) visit(key, [a === GLOBSTAR ? i : i + 1, b === GLOBSTAR ? j : j + 1], segment);
  }
  return undefined;
}

function tokensOf(segment: Segment): Token[] {
  if (segment === GLOBSTAR) return ANY_NAME;
  if (typeof segment === 'string') return [...segment].map(literal);
  return segment;
}

function spellPath(previous: ReadonlyMap<string, { from: string; segment?: string }>, end: string): string {
  const segments: string[] = [];
  for (let key = end; key !== '0,0'; key = previous.get(key)!.from) {
    const { segment } = previous.get(key)!;
    if (segment !== undefined) segments.unshift(segment);
  }
  // Both sides were `**` all the way: any path will do.
  return segments.length ? segments.join('/') : 'x';
}
