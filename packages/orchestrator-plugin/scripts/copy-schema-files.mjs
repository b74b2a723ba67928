// tsc emits only JavaScript: copy the executor and generator schema files (schema.json and
// the schema.d.ts the emitted typings import) from src/ into dist/ beside them.
import { cpSync, statSync } from 'node:fs';

cpSync('src', 'dist', {
  recursive: true,
  filter: (source) => !/[\\/](testing)([\\/]|$)/.test(source) && (statSync(source).isDirectory() || /(\.json|[\\/]schema\.d\.ts)$/.test(source)),
});
