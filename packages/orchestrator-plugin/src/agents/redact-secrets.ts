const REDACTED = '[redacted]';
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i;
/** Shorter values (and lines of multi-line values) are too common to be told apart from ordinary text. */
const MINIMUM_LENGTH = 8;

/** A text redactor: every form of every secret replaced by `[redacted]`. */
export type Redact = (text: string) => string;

/**
 * A function that hides secrets in text: the values of secret-looking environment variables
 * (names with KEY, TOKEN, SECRET, PASSWORD or CREDENTIAL; values of 8+ characters) and the
 * user:password part of URLs. Each value is matched as written, as it reads inside a JSON
 * string (quotes, backslashes, newlines escaped; and with non-ASCII as `\u` escapes), and line
 * by line for multi-line values (a PEM key printed one line at a time). Longest forms first,
 * so a shorter secret inside a longer one leaves nothing behind.
 */
export function secretRedactor(env: NodeJS.ProcessEnv): Redact {
  const forms = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!SECRET_NAME.test(name) || typeof value !== 'string' || value.length < MINIMUM_LENGTH) continue;
    for (const part of [value, ...value.split(/\r?\n/)]) {
      if (part.trim().length < MINIMUM_LENGTH) continue;
      forms.add(part);
      const escaped = JSON.stringify(part).slice(1, -1);
      forms.add(escaped);
      forms.add(escaped.replace(/[\u0080-\uffff]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`));
    }
  }
  const secrets = [...forms].sort((a, b) => b.length - a.length);
  return (text) => secrets.reduce((redacted, secret) => redacted.split(secret).join(REDACTED), text).replace(/(\/\/)[^/@\s:]+:[^/@\s]+@/g, `$1${REDACTED}@`);
}

/** `value` with every string in it redacted (objects and arrays walked): redact before JSON escapes anything. */
export function redactDeep<T>(value: T, redact: Redact): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, redact)])) as T;
  }
  return value;
}
