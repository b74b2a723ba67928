/**
 * Text built from input for messages, always bounded: a spec file can hold a 20 KB key, a
 * 9,000-level list or a circular YAML alias, and none of that may make a message large, slow or
 * throw. Nothing here recurses or runs a regular expression over the input.
 */

/** The longest piece of user text (a key, an id, a reference) quoted in one message. */
export const MAX_QUOTED_LENGTH = 80;

/** The longest message one problem carries. */
export const MAX_MESSAGE_LENGTH = 1_000;

/** `"text"` as JSON would write it, cut to `max` characters of the original with `...` when longer. */
export function quote(text: string, max = MAX_QUOTED_LENGTH): string {
  const cut = text.length > max ? `${text.slice(0, max)}...` : text;
  return JSON.stringify(cut);
}

/** `text` cut to `max` characters, saying how much was left out. */
export function truncate(text: string, max = MAX_MESSAGE_LENGTH): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}... (${(text.length - max).toLocaleString('en-US')} more characters)`;
}

/**
 * What the user wrote, as they would recognize it (`"two"`, `11`, `[1, ...]`, `{...}`), in at
 * most `max` characters. Only the top level is shown: nested lists and mappings are `[...]` and
 * `{...}`, so depth and cycles cost nothing.
 */
export function preview(value: unknown, max = 40): string {
  const text = previewUnbounded(value, max);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

function previewUnbounded(value: unknown, max: number): string {
  // JSON's own spelling for the top level (`[1,"a"]`, `{"id":"a"}`), with nested values elided.
  const parts: string[] = [];
  let length = 2;
  const entries: Array<[string | undefined, unknown]> = Array.isArray(value)
    ? value.slice(0, 10).map((item) => [undefined, item])
    : value !== null && typeof value === 'object'
      ? Object.keys(value)
          .slice(0, 10)
          .map((key) => [key, (value as Record<string, unknown>)[key]])
      : [];
  if (!entries.length && !(value !== null && typeof value === 'object')) return scalar(value);
  const total = Array.isArray(value) ? value.length : Object.keys(value as object).length;
  for (const [key, item] of entries) {
    const shown = `${key === undefined ? '' : `${quote(key, 20)}:`}${scalar(item)}`;
    length += shown.length + 1;
    if (length > max + 10) break;
    parts.push(shown);
  }
  const more = parts.length < total ? `${parts.length ? ',' : ''}...` : '';
  return Array.isArray(value) ? `[${parts.join(',')}${more}]` : `{${parts.join(',')}${more}}`;
}

function scalar(value: unknown): string {
  if (typeof value === 'string') return quote(value, 40);
  if (Array.isArray(value)) return value.length ? '[...]' : '[]';
  if (value !== null && typeof value === 'object') return Object.keys(value).length ? '{...}' : '{}';
  return String(value);
}

/** An exception as one short line: its name and message, whatever was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return truncate(`${error.name}: ${error.message}`, 200);
  return truncate(String(error), 200);
}
