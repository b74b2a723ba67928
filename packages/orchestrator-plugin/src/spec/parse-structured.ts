import { parseDocument } from 'yaml';
import { SourceDocument } from './source-document';
import type { SpecProblem } from './spec-error';

export type StructuredParse =
  | { ok: true; value: unknown; source: SourceDocument }
  | { ok: false; problem: SpecProblem };

/**
 * Parses JSON (strictly, as JSON) or YAML text; a syntax error comes back as a problem with
 * the line it is on. `lineOffset` places a frontmatter block inside its markdown file.
 */
export function parseStructured(file: string, text: string, language: 'json' | 'yaml', lineOffset = 0): StructuredParse {
  const source = new SourceDocument(text, lineOffset);
  if (language === 'json') {
    try {
      return { ok: true, value: JSON.parse(text), source };
    } catch (error) {
      const message = (error as Error).message;
      const position = /position (\d+)/.exec(message);
      const line = position ? source.lineAtOffset(Number(position[1])) : undefined;
      const reason = message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '');
      return { ok: false, problem: { code: 'syntax', file, line, message: `invalid JSON: ${reason}` } };
    }
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const error = document.errors[0];
  if (error) {
    const line = error.linePos ? error.linePos[0].line + lineOffset : undefined;
    const reason = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return { ok: false, problem: { code: 'syntax', file, line, message: `invalid YAML: ${reason}` } };
  }
  return { ok: true, value: document.toJS(), source };
}
