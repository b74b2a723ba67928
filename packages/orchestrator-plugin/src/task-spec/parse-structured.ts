import { isAlias, parseDocument, visit } from 'yaml';
import { findJsonSyntaxError } from './json-syntax-error';
import { SourceDocument } from './source-document';
import type { SpecProblem } from './spec-error';

export type StructuredParse = { ok: true; value: unknown; source: SourceDocument } | { ok: false; problem: SpecProblem };

/**
 * Parses JSON (strictly, as JSON) or YAML text; a syntax error comes back as a problem with
 * the line it is on. `lineOffset` places a frontmatter block inside its markdown file.
 */
export function parseStructured(file: string, content: string, language: 'json' | 'yaml', lineOffset = 0): StructuredParse {
  // Editors on Windows may save a byte order mark, which JSON.parse rejects.
  const text = content.replace(/^\uFEFF/, '');
  const source = new SourceDocument(text, lineOffset);
  if (language === 'json') {
    try {
      return { ok: true, value: JSON.parse(text), source };
    } catch (error) {
      const located = findJsonSyntaxError(text);
      const line = located ? source.lineAtOffset(located.offset) : undefined;
      return { ok: false, problem: { code: 'syntax', file, line, message: `invalid JSON: ${located?.reason ?? (error as Error).message}` } };
    }
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const error = document.errors[0];
  if (error) {
    const line = error.linePos ? error.linePos[0].line + lineOffset : undefined;
    const reason =
      error.code === 'MULTIPLE_DOCS'
        ? 'the file holds more than one YAML document: remove the "---" line that starts the second'
        : error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return { ok: false, problem: { code: 'syntax', file, line, message: `invalid YAML: ${reason}` } };
  }
  try {
    return { ok: true, value: document.toJS(), source };
  } catch (conversionError) {
    // toJS throws for an alias whose anchor is missing (or aliases that expand too far).
    let offset: number | undefined;
    visit(document, {
      Alias(_, node) {
        if (offset === undefined && isAlias(node) && !node.resolve(document)) offset = node.range?.[0];
      },
    });
    const line = offset === undefined ? undefined : source.lineAtOffset(offset);
    return { ok: false, problem: { code: 'syntax', file, line, message: `invalid YAML: ${(conversionError as Error).message}` } };
  }
}
