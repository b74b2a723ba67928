import { findJsonSyntaxError } from './json-syntax-error';

describe('findJsonSyntaxError', () => {
  it.each(['{}', '[]', ' { "a": [1, -2.5e3, 0, true, false, null, "x\\n\\"\\u00e9\\/"], "b": {} } ', '"just a string"', '0', '{"nested": [[[{"a": [{}]}]]]}'])(
    'accepts %s',
    (text) => {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(findJsonSyntaxError(text)).toBeUndefined();
    },
  );

  it.each<{ text: string; offset: number; reason: string }>([
    { text: '', offset: 0, reason: 'the file is empty: it must hold a JSON object' },
    { text: '  \n ', offset: 4, reason: 'the file is empty: it must hold a JSON object' },
    { text: '{"a": 1,}', offset: 8, reason: 'trailing comma before "}": remove the comma after the last property' },
    { text: '[1, 2, ]', offset: 7, reason: 'trailing comma before "]": remove the comma after the last item' },
    { text: '{"a" 1}', offset: 5, reason: 'expected ":" after the property name, found `1`' },
    { text: '{a: 1}', offset: 1, reason: 'expected a property name in double quotes, found `a`' },
    { text: '{"a": 1 "b": 2}', offset: 8, reason: 'expected "," or "}" after a property value, found `"b"`' },
    { text: '[1 2]', offset: 3, reason: 'expected "," or "]" after a list item, found `2`' },
    { text: '{"a": }', offset: 6, reason: 'expected a value, found `}`' },
    { text: '{"a": \'x\'}', offset: 6, reason: "expected a value, found `'x'` (JSON strings need double quotes)" },
    { text: '{"a": 01}', offset: 6, reason: 'expected a value, found `01`' },
    { text: '{"a": -}', offset: 6, reason: 'expected a value, found `-`' },
    { text: '{"a": True}', offset: 6, reason: 'expected a value, found `True`' },
    { text: '{"a": "\\x"}', offset: 7, reason: 'invalid escape "\\x" in a string' },
    { text: '{"a": "b\tc"}', offset: 8, reason: 'control character inside a string' },
    { text: '{"a": "b', offset: 6, reason: 'unterminated string: a closing " is missing' },
    { text: '{"a": 1', offset: 7, reason: 'unexpected end of file: expected "," or "}" after a property value' },
    { text: '{"a"', offset: 4, reason: 'unexpected end of file: expected ":" after the property name' },
    { text: '{', offset: 1, reason: 'unexpected end of file: a "}" is missing' },
    { text: '{} {}', offset: 3, reason: 'unexpected `{` after the end of the JSON value' },
  ])('$text -> $reason', ({ text, offset, reason }) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(findJsonSyntaxError(text)).toEqual({ offset, reason });
  });
});

describe('findJsonSyntaxError on hostile input', () => {
  it('walks 20 KB of "[" without overflowing the stack', () => {
    expect(findJsonSyntaxError('['.repeat(20_000))).toEqual({ offset: 20_000, reason: 'unexpected end of file: a value is missing' });
  });

  it('accepts deeply nested valid JSON', () => {
    expect(findJsonSyntaxError(`${'['.repeat(50_000)}${']'.repeat(50_000)}`)).toBeUndefined();
  });

  it('quotes at most 40 characters of a long bad token', () => {
    const reason = findJsonSyntaxError(`{"a": ${'x'.repeat(100_000)}}`)!.reason;
    expect(reason).toBe(`expected a value, found \`${'x'.repeat(40)}...\``);
  });
});
