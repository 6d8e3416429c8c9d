// Serves the plain example on http://127.0.0.1:8081 with a strict policy,
// and its back end at /link-session. No dependencies: `node server.mjs`.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";

import { linkSession, settings } from "../session.mjs";

const { service, apiKey } = settings();
const port = Number(process.env.PORT ?? 8081);
const policy = `default-src 'self'; script-src 'self' ${service}; connect-src 'self' ${service}; img-src 'self' ${service} data:`;
const files = { "/": ["index.html", "text/html; charset=utf-8"], "/app.js": ["app.js", "text/javascript; charset=utf-8"] };

createServer(async (request, response) => {
  try {
    if (request.url === "/link-session") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(await linkSession(service, apiKey)));
      return;
    }
    const file = files[request.url];
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    const text = (await readFile(new URL(file[0], import.meta.url), "utf8")).replaceAll("http://localhost:8080", service);
    response.writeHead(200, { "content-type": file[1], "content-security-policy": policy });
    response.end(text);
  } catch (error) {
    response.writeHead(500, { "content-type": "text/plain" }).end(String(error));
  }
}).listen(port, "127.0.0.1", () => console.log(`http://127.0.0.1:${port} (its origin must be in POST /corsSettings)`));
