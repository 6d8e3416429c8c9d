// Embedded Link in a real browser: a client's app on another loopback origin,
// under a strict policy, mounts the component served by the real server; the
// Sandbox journey goes through a popup; the callbacks are read from the app's
// console. Screens are photographed into target/web-screenshots/.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { DEVICES, launch, shot, watchedPage } from "./browser.mjs";
import { readFileSync } from "node:fs";

import { hostApp, readmeSnippet, start } from "./server.mjs";

let server;
let browser;
let app;
let stranger;

before(async () => {
  server = await start();
  browser = await launch();
  app = await hostApp(server);
  // A second app whose origin the client never allowed.
  stranger = await hostApp(server);
  await server.api("POST", "/corsSettings", { allowedOrigins: [app.url] });
  await server.api("PUT", "/profile", { name: "Acme Lending", redirectUrl: `${app.url}/done` });
});

after(async () => {
  await browser?.close();
  app?.close();
  stranger?.close();
  server?.stop();
});

/** A page of an app, with what it logs as `link <name> <JSON>` collected in order. */
async function appPage(origin, options = {}) {
  const opened = await watchedPage(browser, [origin, new URL(server.base).origin], options);
  const heard = [];
  opened.page.on("console", (message) => {
    const [tag, name, ...rest] = message.text().split(" ");
    if (tag === "link") {
      heard.push({ name, value: JSON.parse(rest.join(" ")) });
    } else if (/^on[A-Z]\w*$/.test(tag)) {
      // The README's snippet logs the callback's name, then its argument as an object.
      const entry = { name: tag };
      heard.push(entry);
      message.args()[1]?.jsonValue().then((value) => (entry.value = value));
    }
  });
  return { ...opened, heard };
}

/** Waits up to five seconds for the app to have logged what `wanted` matches. */
async function heardSoon(heard, wanted) {
  for (let i = 0; i < 50 && !heard.some(wanted); i++) await new Promise((done) => setTimeout(done, 100));
}

/** Through the landing, the consent and the Sandbox in its popup, to the journey saying so. */
async function connectSandbox(page, context) {
  await page.getByRole("button", { name: "Get started" }).click();
  await page.getByRole("button", { name: "Connect Accounting" }).click();
  await page.getByRole("button", { name: "I agree" }).click();
  const popup = context.waitForEvent("page");
  await page.getByRole("button", { name: "Sandbox" }).click();
  const provider = await popup;
  // Listened for before the click: the popup may report and close at once.
  const closed = provider.waitForEvent("close");
  await provider.getByRole("button", { name: "Approve" }).click();
  await closed;
  await page.getByRole("heading", { name: "Sandbox is connected." }).waitFor();
}

test("the plain example is the README's snippet, word for word", () => {
  const example = readFileSync(new URL("../../examples/plain/app.js", import.meta.url), "utf8");
  assert.equal(readmeSnippet("http://localhost:8080"), example);
});

test("the README's snippet mounts a modal journey that connects the Sandbox in a popup", async () => {
  const { page, context, heard, foreign, violations } = await appPage(app.url, { viewport: { width: 1280, height: 900 } });
  await page.goto(app.url);

  await page.getByRole("button", { name: "Connect your accounts" }).click();
  const dialog = page.getByRole("dialog", { name: "Acme Lending" });
  await dialog.getByRole("heading", { name: "Acme Lending would like to connect to your business platforms" }).waitFor();
  await shot(page, "e1-modal-landing", { fullPage: false });
  const size = await dialog.boundingBox();
  assert.equal(size.width <= 460 && size.height <= 840, true, `at most 460 x 840 (${size.width} x ${size.height})`);
  await connectSandbox(page, context);
  // The one required category is linked: Finish is on the provider's result screen.
  await page.getByRole("button", { name: "Finish" }).click();
  await page.getByRole("heading", { name: "All done" }).waitFor();
  await page.getByRole("button", { name: "Continue" }).click();
  await dialog.waitFor({ state: "detached" });

  const [company] = app.companies;
  const connections = await server.api("GET", `/companies/${company}/connections`);
  assert.deepEqual(heard.map((h) => h.name), ["onConnection", "onFinish"]);
  assert.deepEqual(heard[0].value, {
    connectionId: connections.results[0].id,
    integrationId: connections.results[0].integrationId,
    integrationKey: "mqjo",
    platformName: "Sandbox",
    sourceId: connections.results[0].sourceId,
    sourceType: "Accounting",
  });
  assert.equal(connections.results[0].status, "Linked");
  assert.deepEqual(foreign, [], "nothing but the app and the service");
  assert.deepEqual(violations, [], "no violation of the app's strict policy");
  await context.close();
});

test("inline, the component has no close button, and every callback comes in order", async () => {
  const { page, context, heard, violations } = await appPage(app.url);
  await page.goto(`${app.url}/test.html?inline`);
  await page.getByRole("heading", { name: /would like to connect/ }).waitFor();
  assert.equal(await page.getByRole("dialog").count(), 0, "inline, not a dialog");
  assert.equal(await page.getByRole("button", { name: "Close" }).count(), 0);
  assert.equal(await page.getByRole("button", { name: "Leave for now" }).count(), 0);
  await shot(page, "e2-inline");

  await connectSandbox(page, context);
  // The page's console reaches the test a moment after the screen changes.
  await heardSoon(heard, (h) => h.name === "onEvent" && h.value.name === "connected");
  await heardSoon(heard, (h) => h.name === "onConnection");

  const events = heard.filter((h) => h.name === "onEvent").map((h) => h.value.name);
  assert.deepEqual(events, ["opened", "category_selected", "consent_recorded", "integration_selected", "authorization_started", "connected"]);
  const callbacks = heard.filter((h) => !["onEvent", "ready"].includes(h.name)).map((h) => h.name);
  assert.deepEqual(callbacks, ["onConsent", "onConnectionStarted", "onConnection"]);
  const consent = heard.find((h) => h.name === "onConsent").value;
  assert.equal(consent.category, "accounting");
  assert.equal(typeof consent.text, "string", "Codat's type");
  assert.match(consent.text, /We read your accounting data; we never change it\./);
  assert.equal(consent.texts.access, "We read your accounting data; we never change it.");
  const recorded = heard.find((h) => h.name === "onEvent" && h.value.name === "consent_recorded").value;
  assert.match(recorded.correlationId, /^[0-9a-f]{32}$/, "with the correlation id of the call behind it");
  assert.equal(heard.some((h) => h.name === "ready"), true);
  assert.deepEqual(violations, []);
  await context.close();
});

test("an app whose origin is not in the CORS settings hears why through onError", async () => {
  const { page, context, heard } = await appPage(stranger.url);
  await page.goto(`${stranger.url}/test.html?inline`);

  await page.getByRole("heading", { name: "Something went wrong" }).waitFor();
  await page.waitForFunction(() => true);
  await heardSoon(heard, (h) => h.name === "onError");

  const error = heard.find((h) => h.name === "onError")?.value;
  assert.equal(error?.errorCode, 403, "a number, as Codat's");
  assert.equal(error.reason, "OriginNotAllowed");
  assert.match(error.message, /POST \/corsSettings/);
  assert.equal(error.userRecoverable, false);
  await context.close();
});

test("the modal works with the keyboard alone, asks before closing, and gives the focus back", async () => {
  const { page, context, heard, violations } = await appPage(app.url);
  await page.goto(`${app.url}/test.html`);
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Acme Lending" });
  await dialog.getByRole("heading", { name: /would like to connect/ }).waitFor();

  for (let i = 0; i < 6; i++) {
    await page.keyboard.press("Tab");
    const inside = await page.evaluate(() => document.activeElement?.id !== "connect" && document.activeElement?.tagName !== "BUTTON");
    assert.equal(inside, true, "Tab never reaches the page behind");
  }
  await page.keyboard.press("Escape");
  const asked = page.getByRole("dialog", { name: "Leave the journey?" });
  await asked.waitFor();
  await shot(page, "e3-modal-leave", { fullPage: false });
  await page.keyboard.press("Enter");
  await asked.waitFor({ state: "detached" });
  assert.equal(await dialog.count(), 1, "Stay keeps the journey");
  await page.keyboard.press("Escape");
  await asked.waitFor();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await dialog.waitFor({ state: "detached" });

  assert.equal(await page.evaluate(() => document.activeElement?.id), "connect", "the focus is back on the opener");
  assert.deepEqual(heard.filter((h) => h.name !== "onEvent" && h.name !== "ready").map((h) => h.name), ["onClose"]);
  assert.deepEqual(violations, []);
  await context.close();
});

test("mounting twice leaves one journey", async () => {
  const { page, context } = await appPage(app.url);
  await page.goto(`${app.url}/test.html?twice`);
  await page.getByRole("heading", { name: /would like to connect/ }).waitFor();

  assert.equal(await page.locator("[data-link-api]").count(), 1);
  assert.equal(await page.getByRole("dialog").count(), 1);
  await context.close();
});

test("a blocked popup is offered again as a button, whose click opens it", async () => {
  const { page, context } = await appPage(app.url);
  await page.goto(`${app.url}/test.html?inline`);
  await page.getByRole("heading", { name: /would like to connect/ }).waitFor();
  // The browser refuses the first window the journey opens, as a popup blocker would.
  await page.evaluate(() => {
    const open = window.open.bind(window);
    let refused = false;
    window.open = (...args) => {
      if (!refused) {
        refused = true;
        return null;
      }
      return open(...args);
    };
  });
  await page.getByRole("button", { name: "Get started" }).click();
  await page.getByRole("button", { name: "Connect Accounting" }).click();
  await page.getByRole("button", { name: "I agree" }).click();
  await page.getByRole("button", { name: "Sandbox" }).click();

  await page.getByText("Your browser blocked the Sandbox window.").waitFor();
  const popup = context.waitForEvent("page");
  await page.getByRole("button", { name: "Open the Sandbox window" }).click();
  const provider = await popup;
  await provider.getByRole("button", { name: "Approve" }).click();
  await page.getByRole("heading", { name: "Sandbox is connected." }).waitFor();
  await context.close();
});

test("an app written for Codat's Embedded Link works with the company id alone", async () => {
  const { page, context, heard, violations } = await appPage(app.url);
  const globals = await (async () => {
    await page.goto(`${app.url}/test.html`);
    return page.evaluate(() => Object.keys(window).length);
  })();
  await page.goto(`${app.url}/test.html?inline&codat`);
  await page.getByRole("heading", { name: /would like to connect/ }).waitFor();

  assert.equal(await page.evaluate(() => Object.keys(window).length), globals, "the component sets no globals");
  assert.equal(heard.some((h) => h.name === "ready"), true);
  assert.equal(heard.some((h) => h.name === "onError"), false);
  await connectSandbox(page, context);
  await heardSoon(heard, (h) => h.name === "onConnection");
  assert.equal(heard.filter((h) => h.name === "onConnection").length, 1);
  assert.equal(await page.getByRole("button", { name: "What I have shared" }).count(), 0, "a company id alone does not show what was shared");
  assert.deepEqual(violations, []);
  await context.close();
});

test("a mount's own texts and data types are what the customer sees, agrees to and reads back", async () => {
  const { page, context, heard, violations } = await appPage(app.url);
  await page.goto(`${app.url}/test.html?inline&reworded`);
  await page.getByRole("heading", { name: "Share your books with Northwind" }).waitFor();
  await page.getByRole("button", { name: "Get started" }).click();
  await page.getByRole("button", { name: "Connect Accounting" }).click();
  await page.getByRole("heading", { name: "Share your accounting data with Northwind Finance" }).waitFor();
  await page.getByText("To work out the size of your loan.").waitFor();
  await page.getByText("We only read the invoices and bills you choose to share.").waitFor();
  await shot(page, "e4-reworded-consent");
  await page.getByRole("button", { name: "I agree" }).click();
  await page.getByRole("button", { name: "Sandbox" }).waitFor();

  const consent = heard.find((h) => h.name === "onConsent").value;
  assert.equal(consent.texts.purpose, "To work out the size of your loan.");
  assert.equal(consent.texts.access, "We only read the invoices and bills you choose to share.");
  assert.ok(consent.text.startsWith("To work out the size of your loan.\n\n"), consent.text);
  const company = app.companies.at(-1);
  const [record] = (await server.api("GET", `/companies/${company}/consents`)).results;
  assert.equal(record.id, consent.consentId);
  assert.equal(record.shownTexts.accounting.purpose, "To work out the size of your loan.");
  assert.equal(record.shownTexts.accounting.access, "We only read the invoices and bills you choose to share.");
  assert.deepEqual(record.dataTypes, ["invoices", "bills"], "the data types the mount showed");

  await page.getByRole("button", { name: "What I have shared" }).click();
  await page.getByRole("heading", { name: "What you have shared" }).waitFor();
  await page.getByText("What you agreed to for accounting data").click();
  await page.getByText("To work out the size of your loan.").waitFor();
  await page.getByText("We only read the invoices and bills you choose to share.").waitFor();
  await shot(page, "e5-reworded-shared");
  assert.deepEqual(violations, []);
  await context.close();
});

test("where a browser has no constructable style sheets, the nonce lets the component's style in", async () => {
  const styled = async (query) => {
    const watched = await appPage(app.url);
    await watched.page.addInitScript(() => {
      delete CSSStyleSheet.prototype.replaceSync;
    });
    await watched.page.goto(`${app.url}/test.html?inline${query}`);
    await watched.page.getByRole("heading", { name: /would like to connect/ }).waitFor();
    const radius = await watched.page.locator("[data-link-api]").evaluate((holder) => getComputedStyle(holder.shadowRoot.querySelector(".link-root")).borderTopLeftRadius);
    await watched.context.close();
    return { radius, violations: watched.violations };
  };
  const without = await styled("");
  assert.equal(without.violations.length > 0, true, "the page's policy refuses a style without the nonce");
  const withNonce = await styled("&nonce");
  assert.deepEqual(withNonce.violations, []);
  assert.equal(withNonce.radius, "12px", "the component's style applies");
  assert.equal(without.radius, "0px");
});

test("Codat's clean-up in onClose removes the component without an error", async () => {
  const { page, context, heard } = await appPage(app.url);
  await page.goto(`${app.url}/test.html?codatclean`);
  await page.getByRole("button", { name: "Connect your accounts" }).click();
  await page.getByRole("heading", { name: /would like to connect/ }).waitFor();

  await page.getByRole("button", { name: "Close" }).click();
  await page.getByRole("dialog", { name: "Leave the journey?" }).getByRole("button", { name: "Leave" }).click();
  await heardSoon(heard, (h) => h.name === "onClose");

  assert.equal(heard.filter((h) => h.name === "onClose").length, 1);
  assert.deepEqual(heard.filter((h) => h.name === "pageError"), [], "onClose ran while the component was still there to remove");
  assert.equal(await page.locator("#link").evaluate((target) => target.children.length), 0);
  await context.close();
});

test("inline, the component fills its target, keeps the page's inherited styles out, and shows only the given source types", async () => {
  const { page, context, violations } = await appPage(app.url);
  await page.goto(`${app.url}/test.html?inline&hoststyle&tall&banking`);
  await page.getByRole("heading", { name: /would like to connect/ }).waitFor();
  await page.getByRole("button", { name: "Get started" }).click();
  await page.getByRole("heading", { name: "Connect your accounts" }).waitFor();

  const categories = await page.getByRole("heading", { level: 2 }).allTextContents();
  const body = await page.locator("[data-link-api] >> p").first().evaluate((p) => {
    const style = getComputedStyle(p);
    return { fontSize: style.fontSize, textAlign: style.textAlign };
  });
  const height = (await page.locator("[data-link-api]").boundingBox()).height;

  assert.deepEqual(categories, ["Banking"], "only the source type given");
  assert.deepEqual(body, { fontSize: "16px", textAlign: "start" }, "the page's calc(10px + 2vmin) and centring stay outside");
  assert.equal(height, 842, "the component fills its 842 px target");
  assert.deepEqual(violations, []);
  await context.close();
});

test("a popup closed before its report still counts a linked connection", async () => {
  const { page, context, heard } = await appPage(app.url);
  // The popup's last page loses its script: it reports nothing and stays open.
  await context.route(/\/link\/assets\/popup\.js/, (route) => route.abort());
  await page.goto(`${app.url}/test.html?inline`);
  await page.getByRole("button", { name: "Get started" }).click();
  await page.getByRole("button", { name: "Connect Accounting" }).click();
  await page.getByRole("button", { name: "I agree" }).click();
  const popup = context.waitForEvent("page");
  await page.getByRole("button", { name: "Sandbox" }).click();
  const provider = await popup;
  await provider.getByRole("button", { name: "Approve" }).click();
  await provider.getByRole("heading", { name: /connected/ }).waitFor();

  await provider.close();
  await page.getByRole("heading", { name: "Sandbox is connected." }).waitFor();
  await heardSoon(heard, (h) => h.name === "onConnection");

  assert.equal(heard.filter((h) => h.name === "onConnection").length, 1);
  assert.equal(heard.filter((h) => h.name === "onError").length, 0, "not reported as cancelled");
  await context.close();
});

test("Codat's other entry points: initializeCodatLink mounts the journey, CodatConnections shows what was shared, disconnects and reconnects", async () => {
  const { page, context, heard, violations } = await appPage(app.url);
  await page.goto(`${app.url}/test.html?inline&init`);
  await page.getByRole("heading", { name: /would like to connect/ }).waitFor();
  await connectSandbox(page, context);
  const company = app.companies.at(-1);

  await page.goto(`${app.url}/test.html?connections&company=${company}`);
  await page.getByRole("button", { name: "Connect your accounts" }).click();
  const dialog = page.getByRole("dialog", { name: "Acme Lending" });
  await dialog.getByRole("heading", { name: "What you have shared" }).waitFor();
  assert.equal(await dialog.getByRole("button", { name: "Get started" }).count(), 0, "the shared screen alone");
  await shot(page, "e6-connections", { fullPage: false });
  await dialog.getByRole("button", { name: "Disconnect Sandbox" }).click();
  await page.getByRole("dialog", { name: "Disconnect Sandbox?" }).getByRole("button", { name: "Disconnect" }).click();
  await dialog.getByRole("status").filter({ hasText: "Sandbox is disconnected." }).waitFor();
  await heardSoon(heard, (h) => h.name === "onDisconnect");
  const popup = context.waitForEvent("page");
  await dialog.getByRole("button", { name: "Reconnect Sandbox" }).click();
  const provider = await popup;
  await provider.getByRole("button", { name: "Approve" }).click();
  await dialog.getByRole("status").filter({ hasText: "Sandbox is connected." }).waitFor();
  await heardSoon(heard, (h) => h.name === "onReconnect");
  assert.equal(await dialog.getByRole("button", { name: "Reconnect Sandbox" }).count(), 0, "linked again, nothing to reconnect");
  await page.keyboard.press("Escape");
  await heardSoon(heard, (h) => h.name === "onClose");

  const disconnected = heard.find((h) => h.name === "onDisconnect").value;
  assert.equal(disconnected.platformName, "Sandbox");
  assert.match(disconnected.connectionId, /^[0-9a-f-]{36}$/);
  const connections = await server.api("GET", `/companies/${company}/connections`);
  assert.deepEqual(connections.results.map((c) => c.status).sort(), ["Linked", "Unlinked"]);
  const reconnected = heard.find((h) => h.name === "onReconnect").value;
  assert.notEqual(reconnected.connectionId, disconnected.connectionId, "a new connection of the platform");
  assert.equal(connections.results.find((c) => c.id === reconnected.connectionId).status, "Linked");
  assert.equal(heard.filter((h) => h.name === "onClose").length, 1);
  assert.equal(await page.locator("[data-link-api]").count(), 0, "closed at once (nothing is left unfinished) and removed");
  assert.deepEqual(violations, []);
  await context.close();
});

test("Codat's current text keys word the landing and the consent screen, and the ledger keeps the texts shown", async () => {
  const { page, context, heard, violations } = await appPage(app.url);
  await page.goto(`${app.url}/test.html?inline&codattexts`);
  await page.getByRole("button", { name: "Let's begin" }).click();
  await page.getByRole("button", { name: "Connect Accounting" }).click();
  await page.getByRole("heading", { name: "Your books, shared with care" }).waitFor();
  for (const text of ["To size your loan.", "Read only, never changed.", "Only the accounts you pick.", "Until you withdraw."]) {
    await page.getByText(text).waitFor();
  }
  assert.equal(await page.getByRole("link", { name: "terms" }).getAttribute("href"), "https://example.com/terms");
  assert.equal(await page.locator("strong", { hasText: "agree" }).count(), 1, "Markdown-lite, as the other texts");
  await page.getByRole("button", { name: "Share my books" }).click();
  await page.getByRole("button", { name: "Sandbox" }).waitFor();
  await heardSoon(heard, (h) => h.name === "onConsent");

  const [record] = (await server.api("GET", `/companies/${app.companies.at(-1)}/consents`)).results;
  assert.equal(record.shownTexts.accounting.purpose, "To size your loan.");
  assert.equal(record.shownTexts.accounting.retention, "Until you withdraw.");
  assert.equal(heard.find((h) => h.name === "onConsent").value.texts.accountInformation, "Only the accounts you pick.");
  assert.deepEqual(violations, []);
  await context.close();
});

test("the package's React component mounts the journey once and removes it on unmount", async () => {
  const { page, context, heard, violations } = await appPage(app.url);
  await page.goto(`${app.url}/react.html`);
  await page.getByRole("heading", { name: /would like to connect/ }).waitFor();
  await connectSandbox(page, context);
  await heardSoon(heard, (h) => h.name === "onConnection");

  await page.getByRole("button", { name: "Connect your accounts" }).click();
  await heardSoon(heard, (h) => h.name === "unmounted");

  assert.equal(heard.filter((h) => h.name === "onConnection").length, 1);
  assert.equal(await page.locator("[data-link-api]").count(), 0, "unmounting removes the journey");
  assert.deepEqual(violations, []);
  await context.close();
});

for (const { device, suffix, options } of DEVICES) {
  test(`a modal journey that cannot load lets the customer out: Close or Escape, the focus back, the page usable, onError once (${device})`, async () => {
    const { page, context, heard } = await appPage(stranger.url, options);
    await page.goto(`${stranger.url}/test.html`);
    const dialog = page.getByRole("dialog");

    await page.getByRole("button", { name: "Connect your accounts" }).click();
    await dialog.getByRole("heading", { name: "Something went wrong" }).waitFor();
    await dialog.getByText("The service could not be reached. Check your connection, then try again.").waitFor();
    await shot(page, `e7-cannot-load${suffix}`, { fullPage: false });
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    const focused = await page.evaluate(() => document.activeElement?.id);
    await page.getByRole("button", { name: "Connect your accounts" }).click();
    await dialog.getByRole("button", { name: "Close" }).click();
    await dialog.waitFor({ state: "detached" });
    await heardSoon(heard, (h) => h.name === "onError" && heard.filter((e) => e.name === "onError").length === 2);

    assert.equal(focused, "connect", "the focus is back on the opener");
    assert.equal(heard.filter((h) => h.name === "onError").length, 2, "once for each opening");
    assert.equal(heard.filter((h) => h.name === "onClose").length, 2);
    await context.close();
  });
}

for (const { device, suffix, options } of DEVICES) {
  test(`while the provider's popup is open the journey says so, brings it back, or cancels it (${device})`, async () => {
    const { page, context, heard, violations } = await appPage(app.url, options);
    await page.goto(`${app.url}/test.html?inline`);
    await page.getByRole("button", { name: "Get started" }).click();
    await page.getByRole("button", { name: "Connect Accounting" }).click();
    await page.getByRole("button", { name: "I agree" }).click();
    const popup = context.waitForEvent("page");
    await page.getByRole("button", { name: "Sandbox" }).click();
    const provider = await popup;
    await provider.getByRole("button", { name: "Approve" }).waitFor();

    const waiting = page.getByRole("status").filter({ hasText: "Continue in the Sandbox window." });
    await waiting.waitFor();
    await shot(page, `e8-popup-waiting${suffix}`, { fullPage: false });
    await page.getByRole("button", { name: "Show the Sandbox window" }).click();
    await page.getByRole("button", { name: "Cancel" }).click();
    await waiting.waitFor({ state: "detached" });
    await page.getByText("You cancelled the connection to Sandbox.").waitFor();
    await heardSoon(heard, (h) => h.name === "onError");

    assert.equal(provider.isClosed(), true, "Cancel closed the provider's window");
    assert.equal(heard.find((h) => h.name === "onError").value.reason, "cancelled");
    const [connection] = (await server.api("GET", `/companies/${app.companies.at(-1)}/connections`)).results;
    assert.equal(connection.status, "PendingAuth", "nothing was linked");
    assert.deepEqual(violations, []);
    await context.close();
  });
}

test("the README's porting snippet, run in a Codat app's surroundings, connects and ends with Codat's clean-up", async () => {
  const { page, context, heard, violations } = await appPage(app.url);
  await page.goto(`${app.url}/porting.html`);
  await page.getByRole("heading", { name: /would like to connect/ }).waitFor();
  await connectSandbox(page, context);
  await heardSoon(heard, (h) => h.name === "onConnection");
  await page.getByRole("button", { name: "Finish" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  await heardSoon(heard, (h) => h.name === "onFinish");

  assert.deepEqual(heard.filter((h) => h.name.startsWith("on")).map((h) => h.name), ["onConnection", "onFinish", "onClose"]);
  assert.equal(await page.locator("#link").evaluate((target) => target.children.length), 0, "removed once, by the app");
  assert.deepEqual(violations, []);
  await context.close();
});

for (const { device, suffix, options } of DEVICES) {
  test(`in a webview, a provider opens in the page itself and the journey resumes on its answer there (${device})`, async () => {
    const company = await server.api("POST", "/companies", { name: "Webview Works" });
    const { page, context, heard, violations } = await appPage(app.url, options);
    await page.goto(`${app.url}/test.html?inline&inpage&company=${company.id}&ref=order-9`);
    await page.getByRole("button", { name: "Get started" }).click();
    await page.getByRole("button", { name: "Connect Accounting" }).click();
    await page.getByRole("button", { name: "I agree" }).click();

    await page.getByRole("button", { name: "Sandbox" }).click();
    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByRole("heading", { name: "Sandbox is connected." }).waitFor();

    assert.equal(context.pages().length, 1, "no popup was opened");
    const back = new URL(page.url());
    assert.equal(back.origin, app.url, "back on the app's own page");
    assert.equal(back.searchParams.get("linkConnectionId"), null, "the return's parameters are removed once read");
    assert.equal(back.searchParams.get("ref"), "order-9", "the page's own query stays");
    await heardSoon(heard, (h) => h.name === "onConnection");
    assert.equal(heard.some((h) => h.name === "onConnection"), true, "the app hears the connection on the page it came back to");
    await shot(page, `e9-returned-in-page${suffix}`);
    const connections = await server.api("GET", `/companies/${company.id}/connections`);
    assert.deepEqual(connections.results.map((c) => c.status), ["Linked"]);
    assert.deepEqual(violations, []);
    await context.close();
  });
}
