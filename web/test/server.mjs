// Starts the real Link API binary on loopback over a fresh SQLite database,
// and a small "client application" server that records where the journey
// sends the customer back to. Both stop with `stop()`.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const API_KEY = "web-test-key-0123456789abcdef";
const BINARY = process.env.LINK_API_BINARY ?? new URL("../../target/debug/link-api", import.meta.url).pathname;

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The client's logo and icon, as its own site serves them. */
const IMAGES = {
  "/logo.svg":
    '<svg xmlns="http://www.w3.org/2000/svg" width="190" height="36" viewBox="0 0 190 36"><rect width="36" height="36" rx="8" fill="#0b5cad"/><path d="M10 26 18 9l8 17" stroke="#fff" stroke-width="3" fill="none"/><text x="46" y="25" font-family="sans-serif" font-size="18" font-weight="700" fill="#0b5cad">Acme Lending</text></svg>',
  "/icon.svg":
    '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 36 36"><rect width="36" height="36" rx="8" fill="#0b5cad"/><path d="M10 26 18 9l8 17" stroke="#fff" stroke-width="3" fill="none"/></svg>',
};

/** The client's own application: it answers every page and remembers the URLs it was sent to. */
async function clientApp() {
  const visits = [];
  const server = createServer((request, response) => {
    if (request.method === "POST" && request.url === "/verify") {
      // The client's credentials verifier: one password is right.
      let body = "";
      request.on("data", (chunk) => (body += chunk));
      request.on("end", () => {
        const { credentials } = JSON.parse(body);
        const right = credentials.password === "s3cret-pass";
        response.writeHead(right ? 200 : 401, { "content-type": "application/json" });
        response.end(right ? "{}" : JSON.stringify({ message: `The Sage Intacct password for ${credentials.userId} is wrong.` }));
      });
      return;
    }
    if (request.url in IMAGES) {
      response.writeHead(200, { "content-type": "image/svg+xml" });
      response.end(IMAGES[request.url]);
      return;
    }
    visits.push(request.url);
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end("<!doctype html><title>Client app</title><h1>Back in the client's app</h1>");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, visits, close: () => server.close() };
}

export async function start() {
  const folder = mkdtempSync(join(tmpdir(), "link-web-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(BINARY, ["serve"], {
    cwd: folder,
    env: {
      PATH: process.env.PATH,
      LINK_DATABASE_URL: `sqlite://${join(folder, "link.db")}`,
      LINK_LISTEN: `127.0.0.1:${port}`,
      LINK_PUBLIC_URL: base,
      LINK_BOOTSTRAP_API_KEY: API_KEY,
      LINK_DISPATCH_INTERVAL_MS: "0",
      // Invitations can be emailed; with the dispatcher off they wait in the outbox.
      LINK_SMTP_URL: "smtp://127.0.0.1:9",
      LINK_SMTP_FROM: "Acme Lending <connect@acme.example>",
      LINK_RATE_LIMIT_PER_MINUTE: "0",
      // The client's credentials verifier runs on loopback here.
      LINK_WEBHOOK_ALLOW_PRIVATE: "true",
      RUST_LOG: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      if (i > 300) throw new Error("the server did not start");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const client = await clientApp();
  const api = async (method, path, body) => {
    const response = await fetch(base + path, {
      method,
      headers: { Authorization: `Bearer ${API_KEY}`, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    base,
    client,
    api,
    stop() {
      child.kill("SIGTERM");
      client.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** The page every host app serves: a button that opens the journey, and where it goes. */
const HOST_PAGE = (script) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Acme app</title></head>
<body><main><h1>Acme app</h1><button id="connect">Connect your accounts</button><div id="link"></div></main>
<script type="module" src="${script}"></script></body></html>`;

/** A snippet the README gives between `<!-- name:start -->` and `<!-- name:end -->`, verbatim. */
function readmeBlock(name) {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const block = readme.split(`<!-- ${name}:start -->`)[1].split(`<!-- ${name}:end -->`)[0];
  return block.split("```js\n")[1].split("```")[0];
}

/** The snippet the README gives, verbatim but for the service's address. */
export function readmeSnippet(base) {
  return readmeBlock("embedded-snippet").replaceAll("http://localhost:8080", base);
}

/**
 * The README's porting snippet, verbatim but for the service's address, with
 * what a Codat app around it defines: its company id and its callbacks, which
 * log as `link <name> <JSON>` and remove the component as Codat's samples do.
 */
function portingApp(base) {
  const app = `const target = document.getElementById("link");
const log = (name, value) => console.log(\`link \${name} \${JSON.stringify(value ?? null)}\`);
const { companyId } = await fetch("/link-session").then((r) => r.json());
const onConnection = (connection) => log("onConnection", connection);
const onClose = () => { log("onClose"); target.removeChild(target.children[0]); };
const onFinish = () => { log("onFinish"); onClose(); };
const onError = (error) => log("onError", error);
`;
  return app + readmeBlock("porting-snippet").replaceAll("https://link.example.com", base);
}

/** The host app's pages, by the script each runs. */
const PAGES = { "/": "/app.js", "/test.html": "/host-app.js", "/react.html": "/react-app.js", "/porting.html": "/porting-app.js" };

/** `test/react-app.js` bundled as a React app would be, React's names resolved to preact/compat. */
async function reactApp() {
  const { build } = await import("esbuild");
  const built = await build({
    entryPoints: [new URL("./react-app.js", import.meta.url).pathname],
    bundle: true,
    format: "esm",
    target: "es2022",
    write: false,
    logLevel: "warning",
    alias: { react: "preact/compat", "react-dom/client": "preact/compat/client" },
  });
  return built.outputFiles[0].text;
}

/**
 * A client's web app on its own loopback origin, under a strict policy that
 * names the service's origin and nothing unsafe. `/` runs the README's
 * snippet; `/react.html` the package's React component in a React app;
 * `/test.html` runs `web/test/host-app.js`, which logs every
 * callback. `/link-session` is the app's back end: it makes a company (or
 * takes `?company=`) and gets its token with the API key, as the README
 * says a back end does.
 */
export async function hostApp(service) {
  const companies = [];
  const scripts = {
    "/app.js": readFileSync(new URL("../../examples/plain/app.js", import.meta.url), "utf8").replaceAll("http://localhost:8080", service.base),
    "/host-app.js": readFileSync(new URL("./host-app.js", import.meta.url), "utf8").replaceAll("LINK_API", service.base),
    "/react-app.js": (await reactApp()).replaceAll("LINK_API", service.base),
    "/porting-app.js": portingApp(service.base),
  };
  const policy = [
    "default-src 'self'",
    `script-src 'self' ${service.base}`,
    `connect-src 'self' ${service.base}`,
    `img-src 'self' ${service.base} data:`,
    "style-src 'self' 'nonce-link-test-nonce'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  const server = createServer(async (request, response) => {
    const path = new URL(request.url, "http://host").pathname;
    if (path === "/link-session") {
      // A new company each time, or the one the query names (to come back to it).
      let companyId = new URL(request.url, "http://host").searchParams.get("company");
      if (!companyId) {
        companyId = (await service.api("POST", "/companies", { name: `Embedded ${companies.length + 1}` })).id;
        companies.push(companyId);
      }
      const token = await service.api("GET", `/companies/${companyId}/accessToken`);
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ companyId, accessToken: token.accessToken }));
    } else if (path in scripts) {
      response.writeHead(200, { "content-type": "text/javascript; charset=utf-8" });
      response.end(scripts[path]);
    } else if (path in PAGES) {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": policy });
      response.end(HOST_PAGE(PAGES[path]));
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, companies, close: () => server.close() };
}
