/** Where JSON text first breaks the grammar, and why, in words a person can act on. */
export interface JsonSyntaxError {
  /** Character offset into the text. */
  offset: number;
  reason: string;
}

class Failure extends Error {
  constructor(readonly syntaxError: JsonSyntaxError) {
    super(syntaxError.reason);
  }
}

/**
 * Finds the first syntax error in JSON text that `JSON.parse` rejected. `JSON.parse` messages
 * differ between Node versions and often carry no position (`Unexpected token ']', "..." is
 * not valid JSON`), so the spec layer locates the error itself. Returns `undefined` for valid JSON.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  // Sticky patterns, made per call: they carry `lastIndex`.
  const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const wordPattern = /[^\s,:[\]{}"]+/y;
  const escapePattern = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;
  let index = 0;
  const fail = (reason: string, at = index): never => {
    throw new Failure({ offset: at, reason });
  };
  const skipWhitespace = () => {
    while (index < text.length && ' \t\r\n'.includes(text[index])) index++;
  };
  /** The token at `at` as written, in backticks: `tru`, `"prompt"`, `}`. */
  const shown = (at: number) => {
    const token = text[at] === '"' ? /^"(?:[^"\\\n]|\\.)*"?/.exec(text.slice(at, at + 40))?.[0] : undefined;
    wordPattern.lastIndex = at;
    const word = token ?? wordPattern.exec(text)?.[0] ?? text[at];
    return `\`${word.length > 40 ? `${word.slice(0, 40)}...` : word}\``;
  };
  const expect = (char: string, reason: string) => {
    skipWhitespace();
    if (index >= text.length) fail(`unexpected end of file: ${reason}`);
    if (text[index] !== char) fail(`${reason}, found ${shown(index)}`);
    index++;
  };
  const string = () => {
    const start = index++;
    while (index < text.length && text[index] !== '"') {
      if (text[index] === '\\') {
        escapePattern.lastIndex = index;
        if (!escapePattern.test(text)) fail(`invalid escape "${text.slice(index, index + 2)}" in a string`);
        index = escapePattern.lastIndex;
      } else if (text.charCodeAt(index) < 0x20) {
        fail(text[index] === '\n' ? 'line break inside a string: write \\n instead' : 'control character inside a string');
      } else {
        index++;
      }
    }
    if (index >= text.length) fail('unterminated string: a closing " is missing', start);
    index++;
  };
  const closeAfterComma = (close: string, what: string) => {
    skipWhitespace();
    if (text[index] === close) fail(`trailing comma before "${close}": remove the comma after the last ${what}`, index);
  };
  /** One scalar at `index`: a string, a literal or a number. */
  const scalar = (): void => {
    const char = text[index];
    if (char === '"') return string();
    for (const literal of ['true', 'false', 'null']) {
      // The whole word, as the word pattern would cut it: `truex` is not `true`.
      if (text.startsWith(literal, index) && !/[^\s,:[\]{}"]/.test(text[index + literal.length] ?? ' ')) {
        index += literal.length;
        return;
      }
    }
    numberPattern.lastIndex = index;
    const number = numberPattern.exec(text);
    if (number && !/[^\s,\]}]/.test(text[index + number[0].length] ?? ' ')) {
      index += number[0].length;
      return;
    }
    fail(`expected a value, found ${shown(index)}${char === "'" ? ' (JSON strings need double quotes)' : ''}`);
  };
  /**
   * One JSON value, walked with an explicit stack of open containers rather than recursion:
   * 20 KB of `[` must not overflow the call stack of the process computing the project graph.
   */
  const value = (): void => {
    const open: Array<'object' | 'array'> = [];
    let expecting: 'value' | 'key' | 'after' = 'value';
    for (;;) {
      if (expecting === 'value') {
        skipWhitespace();
        if (index >= text.length) fail('unexpected end of file: a value is missing');
        const char = text[index];
        if (char === '{' || char === '[') {
          index++;
          skipWhitespace();
          if (text[index] === (char === '{' ? '}' : ']')) {
            index++;
            expecting = 'after';
          } else {
            open.push(char === '{' ? 'object' : 'array');
            expecting = char === '{' ? 'key' : 'value';
          }
          continue;
        }
        scalar();
        expecting = 'after';
        continue;
      }
      if (expecting === 'key') {
        skipWhitespace();
        if (text[index] !== '"')
          fail(index >= text.length ? 'unexpected end of file: a "}" is missing' : `expected a property name in double quotes, found ${shown(index)}`);
        string();
        expect(':', 'expected ":" after the property name');
        expecting = 'value';
        continue;
      }
      const container = open[open.length - 1];
      if (!container) return;
      skipWhitespace();
      if (text[index] === ',') {
        index++;
        closeAfterComma(container === 'object' ? '}' : ']', container === 'object' ? 'property' : 'item');
        expecting = container === 'object' ? 'key' : 'value';
        continue;
      }
      if (container === 'object') expect('}', 'expected "," or "}" after a property value');
      else expect(']', 'expected "," or "]" after a list item');
      open.pop();
    }
  };
  try {
    skipWhitespace();
    if (index >= text.length) fail('the file is empty: it must hold a JSON object');
    value();
    skipWhitespace();
    if (index < text.length) fail(`unexpected ${shown(index)} after the end of the JSON value`);
    return undefined;
  } catch (error) {
    if (error instanceof Failure) return error.syntaxError;
    throw error;
  }
}
