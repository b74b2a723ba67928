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
