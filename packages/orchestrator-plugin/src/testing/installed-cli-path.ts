import { delimiter, join, resolve } from 'node:path';

/** The repository root, whose node_modules/.bin holds the agent CLIs installed as dev dependencies. */
const REPOSITORY_ROOT = resolve(__dirname, '../../../..');

/**
 * A PATH that finds the agent CLIs this repository installs (claude, gemini, codex) before any
 * other copy on the machine, so tests against a real CLI check the version the lock file pins.
 */
export function installedCliPath(): string {
  return `${join(REPOSITORY_ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`;
}
