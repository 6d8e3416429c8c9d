// Builds the hosted journey into dist/: one ES module and one style sheet,
// minified, with no source maps, so the output depends on the sources alone.
// `node build.mjs --check` builds into memory and fails when dist/ differs
// from what the sources give (the bundle is committed and embedded in the
// server binary, which therefore needs no Node.js).
import { build } from "esbuild";
import { readFile } from "node:fs/promises";

const check = process.argv.includes("--check");
const result = await build({
  entryPoints: { hosted: "src/main.tsx" },
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  legalComments: "none",
  charset: "utf8",
  outdir: "dist",
  write: !check,
  metafile: true,
  logLevel: "warning",
});

if (check) {
  let stale = [];
  for (const file of result.outputFiles) {
    const committed = await readFile(file.path).catch(() => null);
    if (!committed || Buffer.compare(committed, Buffer.from(file.contents)) !== 0) {
      stale.push(file.path);
    }
  }
  if (stale.length) {
    console.error(`web/dist is out of date with web/src (${stale.join(", ")}): run \`make web\` and commit the result`);
    process.exit(1);
  }
}
for (const [name, output] of Object.entries(result.metafile.outputs)) {
  console.log(`${name}: ${output.bytes} bytes`);
}
