// The package folder's types serve an app that imports the component by its
// URL (link-sdk/url-module.d.ts): a right use type-checks, a wrong one fails.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const web = new URL("..", import.meta.url).pathname;

/** Type-checks `file` (of test/types/) as an app with the package folder installed; the compiler's output, or "" when it passes. */
function check(file) {
  const folder = mkdtempSync(join(tmpdir(), "link-types-"));
  try {
    writeFileSync(
      join(folder, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "ESNext",
          moduleResolution: "Bundler",
          strict: true,
          noEmit: true,
          lib: ["ES2022", "DOM"],
          types: [],
          paths: { "@link-api/embedded-link": [join(web, "link-sdk/index.d.ts")] },
        },
        files: [join(web, "link-sdk/url-module.d.ts"), join(web, "test/types", file)],
      }),
    );
    execFileSync(join(web, "node_modules/.bin/tsc"), ["-p", folder], { encoding: "utf8" });
    return "";
  } catch (error) {
    return String(error.stdout || error.message);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

test("an app importing the component by its URL is typed by the package folder", () => {
  assert.equal(check("app.ts"), "");
  const wrong = check("wrong.ts");
  assert.match(wrong, /companyId|company/, `a missing companyId is caught: ${wrong}`);
});
