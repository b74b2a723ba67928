import { isAlias, parseDocument, visit } from 'yaml';
import { describeError, truncate } from './bounded-text';
import { MAX_NESTING, plainDataProblem, textNestingDepth } from './data-limits';
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
  // Parsers, schemas and message builders all recurse per level: refuse absurd nesting before any of them runs.
  if (textNestingDepth(text) > MAX_NESTING) {
    const message = `lists or mappings are nested more than ${MAX_NESTING} levels deep: no task list needs that, so the file is not read`;
    return { ok: false, problem: { code: 'syntax', file, message } };
  }
  if (language === 'json') {
    try {
      return { ok: true, value: JSON.parse(text), source: new SourceDocument(text, lineOffset, 'json') };
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
        : stripPosition(truncate(error.message.slice(0, 1_000).split('\n')[0], 300));
    return { ok: false, problem: { code: 'syntax', file, line, message: `invalid YAML: ${reason}` } };
  }
  let value: unknown;
  try {
    value = document.toJS();
  } catch (conversionError) {
    // toJS throws for an alias whose anchor is missing (or aliases that expand too far).
    let offset: number | undefined;
    visit(document, {
      Alias(_, node) {
        if (offset === undefined && isAlias(node) && !node.resolve(document)) offset = node.range?.[0];
      },
    });
    const line = offset === undefined ? undefined : source.lineAtOffset(offset);
    return {
      ok: false,
      problem: {
        code: 'syntax',
        file,
        line,
        message: `invalid YAML: ${conversionError instanceof Error ? truncate(conversionError.message, 300) : describeError(conversionError)}`,
      },
    };
  }
  const unusable = plainDataProblem(value);
  if (unusable) return { ok: false, problem: { code: 'syntax', file, message: `invalid YAML: ${unusable}` } };
  return { ok: true, value, source };
}

/** The YAML library's message without its trailing position (the problem carries the line). */
function stripPosition(message: string): string {
  const at = message.lastIndexOf(' at line ');
  return at >= 0 && /^ at line \d+, column \d+:?$/.test(message.slice(at)) ? message.slice(0, at) : message;
}
