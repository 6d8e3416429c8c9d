// The hosted journey in a real browser (Debian's Chromium through
// playwright-core), against the real server: every request stays on the
// service's own origin (or goes back to the client's app at the end), no
// Content-Security-Policy violation happens, and each screen is
// photographed into target/web-screenshots/.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, test } from "node:test";

import { chromium } from "playwright-core";

import { start } from "./server.mjs";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const SHOTS = new URL("../../target/web-screenshots/", import.meta.url).pathname;

let server;
let browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await start();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** A page that records what it requests and every CSP violation it reports. */
async function watchedPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 420, height: 860 }, ...options });
  const page = await context.newPage();
  const foreign = [];
  const violations = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    const allowed = [new URL(server.base).origin, new URL(server.client.url).origin];
    if (!allowed.includes(url.origin)) foreign.push(request.url());
  });
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) violations.push(message.text());
  });
  return { page, foreign, violations, context };
}

async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

async function newCompany(name) {
  return server.api("POST", "/companies", { name });
}

test("a customer connects the Sandbox from the company's redirect and ends at the client's redirectUrl", async () => {
  await server.api("PUT", "/profile", {
    name: "Acme Lending",
    redirectUrl: `${server.client.url}/done?company={companyId}&status={statusCode}&ref={ref}`,
    whiteListUrls: [server.client.url],
  });
  const company = await newCompany("Bolt Cycles");
  const { page, foreign, violations, context } = await watchedPage();

  await page.goto(`${company.redirect}?ref=order-42`);
  await page.getByRole("heading", { name: "Acme Lending would like to connect to your business platforms" }).waitFor();
  await shot(page, "1-landing");
  await page.getByRole("button", { name: "Get started" }).click();
  await page.getByRole("heading", { name: "Connect your accounts" }).waitFor();
  await shot(page, "2-categories");
  assert.equal(await page.getByRole("button", { name: "Finish" }).isDisabled(), true);
  await page.getByRole("button", { name: "Connect Accounting" }).click();
  await page.getByRole("heading", { name: "Share your accounting data with Acme Lending" }).waitFor();
  await shot(page, "3-consent");
  await page.getByRole("button", { name: "I agree" }).click();
  await page.getByRole("heading", { name: "Choose your accounting platform" }).waitFor();
  await page.getByRole("searchbox", { name: "Search platforms" }).fill("sand");
  await shot(page, "4-platforms");
  await page.getByRole("button", { name: "Sandbox" }).click();
  await page.getByRole("button", { name: "Approve" }).click();
  await page.getByRole("heading", { name: "Sandbox is connected." }).waitFor();
  await shot(page, "5-linked");
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("button", { name: "Finish" }).click();
  await page.getByRole("heading", { name: "All done" }).waitFor();
  await shot(page, "6-done");
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("heading", { name: "Back in the client's app" }).waitFor();

  const landed = server.client.visits.filter((url) => url.startsWith("/done"));
  assert.deepEqual(landed, [`/done?company=${company.id}&status=200&ref=order-42`]);
  const consents = await server.api("GET", `/companies/${company.id}/consents`);
  assert.equal(consents.results.length, 1);
  assert.deepEqual(consents.results[0].categories, ["accounting"]);
  assert.equal(consents.results[0].settingsVersion, 0);
  assert.equal(consents.results[0].locale, "en-US");
  const status = await server.api("GET", `/companies/${company.id}/linkStatus`);
  assert.equal(status.complete, true);
  assert.deepEqual(foreign, [], "no request leaves the two origins");
  assert.deepEqual(violations, [], "no Content-Security-Policy violation");
  await context.close();
});

test("a credentials platform shows each wrong field, then links with the right values", async () => {
  const company = await newCompany("Credential Traders");
  const { page, violations, context } = await watchedPage({ locale: "en-GB" });

  await page.goto(company.redirect);
  await page.getByRole("button", { name: "Get started" }).click();
  await page.getByRole("button", { name: "Connect Accounting" }).click();
  await page.getByRole("button", { name: "I agree" }).click();
  await page.getByRole("button", { name: "Sage Intacct" }).click();
  await page.getByRole("heading", { name: "Connect Sage Intacct" }).waitFor();
  await page.getByLabel("Company ID").fill("not valid!");
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await page.getByText("This value does not have the expected format.").waitFor();
  assert.equal(await page.getByText("This field is required.").count(), 2);
  await shot(page, "7-credentials-errors");
  await page.getByLabel("Company ID").fill("bolt-cycles");
  await page.getByLabel("Web services user ID").fill("ada");
  await page.getByLabel("Web services user password").fill("s3cret-pass");
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await page.getByRole("heading", { name: "Sage Intacct is connected." }).waitFor();

  assert.equal(await page.content().then((html) => html.includes("s3cret-pass")), false, "nothing typed stays in the page");
  const status = await server.api("GET", `/companies/${company.id}/linkStatus`);
  assert.equal(status.categories[0].linked, true);
  assert.deepEqual(violations, []);
  await context.close();
});

test("the journey speaks French when asked", async () => {
  const company = await newCompany("Boulangerie Paul");
  const { page, context } = await watchedPage();

  await page.goto(`${company.redirect}?locale=fr-FR`);

  await page.getByRole("button", { name: "Commencer" }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "fr-FR");
  await context.close();
});

test("a link to no company answers a clear page", async () => {
  const { page, context } = await watchedPage();

  const unknown = await page.goto(`${server.base}/link/company/0198f3c2-6a7e-7d51-9a0e-3c1f5e2b8d41`);
  assert.equal(unknown.status(), 404);
  assert.match(await page.locator("h1").textContent(), /not found|no company/i);
  const malformed = await page.goto(`${server.base}/link/company/not-an-id`);
  assert.equal(malformed.status(), 400);
  await context.close();
});
