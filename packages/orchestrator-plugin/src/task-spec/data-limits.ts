/**
 * Limits that keep hostile or broken files cheap: no parser, schema or message builder ever sees
 * data nested deeper than {@link MAX_NESTING} or a value that contains itself. Both checks are
 * linear scans without recursion, so they cannot overflow the stack they protect.
 */

/** No task list needs more; JSON and YAML parsers and message builders recurse per level. */
export const MAX_NESTING = 64;

/**
 * How deeply `[` and `{` nest in JSON or YAML text, counted outside quoted strings (and YAML
 * comments), stopping as soon as `limit` is passed. An over-count only ever rejects a file that
 * no task list looks like; it never lets a deep one through.
 */
export function textNestingDepth(text: string, limit = MAX_NESTING): number {
  let depth = 0;
  let deepest = 0;
  let quoteCharacter = '';
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (quoteCharacter) {
      if (character === '\\' && quoteCharacter === '"') index++;
      else if (character === quoteCharacter) quoteCharacter = '';
      else if (character === '\n' && quoteCharacter === "'") quoteCharacter = '';
      continue;
    }
    if (character === '"' || (character === "'" && isYamlQuoteStart(text, index))) quoteCharacter = character;
    else if (character === '#' && (index === 0 || text[index - 1] === ' ' || text[index - 1] === '\n')) {
      while (index < text.length && text[index] !== '\n') index++;
    } else if (character === '[' || character === '{') {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if ((character === ']' || character === '}') && depth > 0) depth--;
  }
  return deepest;
}

/** A `'` opens a YAML quoted scalar only where a value starts, not inside words such as `don't`. */
function isYamlQuoteStart(text: string, index: number): boolean {
  const before = index === 0 ? '\n' : text[index - 1];
  return before === ' ' || before === '\n' || before === '[' || before === '{' || before === ',' || before === ':' || before === '-';
}

/**
 * Why a parsed value cannot be used as plain data, or undefined when it can: a YAML alias that
 * contains itself (`description: &a [*a]`), or nesting past {@link MAX_NESTING}. Shared (non-circular)
 * aliases are fine.
 */
export function plainDataProblem(value: unknown): string | undefined {
  const onPath = new Set<object>();
  // Each entry is a value to enter, or the object to leave once its children are done.
  const stack: Array<{ enter: unknown; depth: number } | { leave: object }> = [{ enter: value, depth: 0 }];
  while (stack.length) {
    const next = stack.pop()!;
    if ('leave' in next) {
      onPath.delete(next.leave);
      continue;
    }
    const { enter, depth } = next;
    if (enter === null || typeof enter !== 'object') continue;
    if (onPath.has(enter)) return 'a YAML alias refers to the node that contains it, so its value would be infinite';
    if (depth >= MAX_NESTING) return `it is nested more than ${MAX_NESTING} levels deep`;
    onPath.add(enter);
    stack.push({ leave: enter });
    const children = Array.isArray(enter) ? enter : Object.values(enter);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push({ enter: child, depth: depth + 1 });
  }
  return undefined;
}
