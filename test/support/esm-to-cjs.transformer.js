// NestJS 12 ships ES modules only. Node runs them through require(esm), but jest's own module
// loader needs Node 24.9+ for that, so under jest those packages are compiled to CommonJS here.
const crypto = require('crypto');
const fs = require('fs');
const ts = require('typescript');

const SELF = fs.readFileSync(__filename);

const IMPORT_META_URL = /\bimport\.meta\.url\b/g;
// Used only to ask whether an optional package is installed.
const IMPORT_META_RESOLVE = /\bimport\.meta\.resolve\(/g;
// `const require = createRequire(import.meta.url)` is how ESM gets a require; CommonJS has its own.
const OWN_REQUIRE = /^\s*const require\s*=\s*createRequire\(import\.meta\.url\);?\s*$/m;

module.exports = {
  getCacheKey(source, path) {
    return crypto
      .createHash('sha1')
      .update(SELF)
      .update(ts.version)
      .update(path)
      .update(source)
      .digest('hex');
  },
  process(source, path) {
    const { outputText, sourceMapText } = ts.transpileModule(
      source
        .replace(OWN_REQUIRE, '')
        .replace(IMPORT_META_URL, "require('url').pathToFileURL(__filename).href")
        .replace(IMPORT_META_RESOLVE, 'require.resolve(')
        .replace(/\bimport\.meta\.dirname\b/g, '__dirname')
        .replace(/\bimport\.meta\.filename\b/g, '__filename'),
      {
        fileName: path,
        compilerOptions: {
          module: ts.ModuleKind.CommonJS,
          target: ts.ScriptTarget.ES2022,
          allowJs: true,
          esModuleInterop: true,
          sourceMap: true,
        },
      },
    );
    return { code: outputText, map: sourceMapText };
  },
};
