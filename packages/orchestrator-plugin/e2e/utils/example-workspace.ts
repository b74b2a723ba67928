import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './packed-plugin';

const EXAMPLE_ROOT = join(REPO_ROOT, 'packages', 'example-workspace');
const SKIPPED = new Set(['node_modules', '.nx', '.agent-runs']);

/** The example workspace's checked-in files (path -> content): the e2e fixture is the demo itself. */
export function exampleWorkspaceFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder)) {
      if (SKIPPED.has(entry)) continue;
      const path = join(folder, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(EXAMPLE_ROOT, path).split('\\').join('/')] = readFileSync(path, 'utf8');
    }
  };
  walk(EXAMPLE_ROOT);
  return files;
}

/** Every agent task of the example, as `project:task`. */
export const EXAMPLE_TASKS = [
  'checkout-redesign:1.1',
  'checkout-redesign:1.2',
  'checkout-redesign:2.1',
  'checkout-redesign:2.2',
  'checkout-redesign:3.1',
  'design-system:button-variants',
  'design-system:tokens',
  'payments:design-api',
  'payments:implement-api',
  'storefront:add-analytics-events',
  'storefront:audit-accessibility',
  'storefront:checkout-ui',
  'storefront:write-seo-meta',
];
