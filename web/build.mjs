// Builds the journey into dist/: the hosted page's module and style sheet,
// the popup's last page, and the embeddable component (one module with its
// styles inside), minified, with no source maps, so the output depends on the
// sources alone.
// `node build.mjs --check` builds into memory and fails when dist/ differs
// from what the sources give (the bundle is committed and embedded in the
// server binary, which therefore needs no Node.js).
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";

const check = process.argv.includes("--check");
const common = {
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
};
const results = await Promise.all([
  // The hosted page: its script and its style sheet, and the provider popup's last page.
  build({ ...common, entryPoints: { hosted: "src/main.tsx", popup: "src/popup.ts" } }),
  // The component: one module, its style sheet inside as text (adopted by its shadow root).
  build({ ...common, entryPoints: { sdk: "src/sdk.tsx" }, loader: { ".css": "text" } }),
]);
const result = {
  outputFiles: results.flatMap((r) => r.outputFiles ?? []),
  metafile: { outputs: Object.assign({}, ...results.map((r) => r.metafile.outputs)) },
};

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
const sdk = result.outputFiles?.find((file) => file.path.endsWith("/sdk.js"))?.contents ?? (await readFile("dist/sdk.js"));
// The package folder (link-sdk/) carries the same module, for a team that vendors or publishes it.
const vendored = "link-sdk/index.js";
if (check) {
  const copy = await readFile(vendored).catch(() => null);
  if (!copy || Buffer.compare(copy, Buffer.from(sdk)) !== 0) {
    console.error(`${vendored} differs from dist/sdk.js: run \`make web\` and commit the result`);
    process.exit(1);
  }
} else {
  await writeFile(vendored, sdk);
}
// The README publishes the component's pinned URL and integrity; they follow its bytes.
const version = createHash("sha256").update(sdk).digest("hex").slice(0, 12);
const integrity = `sha384-${createHash("sha384").update(sdk).digest("base64")}`;
const readme = await readFile("../README.md", "utf8");
const published = readme.replace(
  /(<!-- embedded-version:start -->\n)[^]*?(\n<!-- embedded-version:end -->)/,
  `$1\`/link/sdk/${version}.js\`, integrity \`${integrity}\`$2`,
).replace(/\/link\/sdk\/[0-9a-f]{12}\.js|\/link\/sdk\/VERSION\.js/g, `/link/sdk/${version}.js`);
if (published !== readme) {
  if (check) {
    console.error("README.md does not publish this component's version and integrity: run `make web` and commit the result");
    process.exit(1);
  }
  await writeFile("../README.md", published);
}
for (const [name, output] of Object.entries(result.metafile.outputs)) {
  console.log(`${name}: ${output.bytes} bytes`);
}
