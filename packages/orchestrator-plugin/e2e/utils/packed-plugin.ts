import { resolve } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const shared = require('../../scripts/install-packed-plugin.cjs') as { installPackedPlugin: () => string };

export const REPO_ROOT = resolve(__dirname, '../../../..');

/** Packs the built plugin once; see scripts/install-packed-plugin.cjs. */
export const installPackedPlugin = shared.installPackedPlugin;
