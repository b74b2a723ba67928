const REDACTED = '[redacted]';
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i;

/**
 * A function that hides secrets in text: the values of secret-looking environment variables
 * (names with KEY, TOKEN, SECRET, PASSWORD or CREDENTIAL; values of 8+ characters, longest
 * first) and the user:password part of URLs.
 */
export function secretRedactor(env: NodeJS.ProcessEnv): (text: string) => string {
  const secrets = Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && typeof value === 'string' && value.length >= 8)
    .map(([, value]) => value as string)
    .sort((a, b) => b.length - a.length);
  return (text) => secrets.reduce((redacted, secret) => redacted.split(secret).join(REDACTED), text).replace(/(\/\/)[^/@\s:]+:[^/@\s]+@/g, `$1${REDACTED}@`);
}
