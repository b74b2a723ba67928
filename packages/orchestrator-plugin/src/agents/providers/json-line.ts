import { z } from 'zod';

/** One JSON object as a CLI streams it, one per line. */
export type JsonObject = Record<string, unknown>;

/** Whether a parsed value is a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON object on a line of a CLI's stream, or undefined for anything else (plain text, arrays, broken JSON). */
export function parseJsonLine(text: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Field schemas for lines another tool writes: read, not judged. A field of an unexpected type
 * reads as absent instead of failing its whole line, and unknown fields are kept, so a newer
 * CLI that adds or changes a field still streams.
 */
export const lenient = {
  string: z.string().optional().catch(undefined),
  number: z.number().refine(Number.isFinite).optional().catch(undefined),
  boolean: z.boolean().optional().catch(undefined),
  object: z.looseObject({}).optional().catch(undefined),
  /** The array's items that are objects; anything else reads as empty. */
  objects: z
    .array(z.unknown())
    .catch([])
    .transform((items) => items.filter(isJsonObject))
    .optional(),
};

/**
 * The line as one of `schema`'s shapes (validated, typed), or undefined when it is not JSON or
 * matches none (another tool's noise, a type this version does not read).
 */
export function readJsonLine<Schema extends z.ZodType>(text: string, schema: Schema): z.output<Schema> | undefined {
  const value = parseJsonLine(text.trim());
  if (value === undefined) return undefined;
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
