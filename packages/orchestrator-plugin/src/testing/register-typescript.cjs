// Lets a child process of a test `require` the plugin's TypeScript source, as jest's transform
// does in the test process: node -r ./register-typescript.cjs entry.ts. Transpile only (the
// tests type-check); the compiler options the plugin builds with.
const { readFileSync } = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
  });
  module._compile(outputText, filename);
};
