// The hosted journey in a real browser (Debian's Chromium through
// playwright-core), against the real server: every request stays on the
// service's own origin (or goes back to the client's app at the end), no
// Content-Security-Policy violation happens, and each screen is
// photographed into target/web-screenshots/.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";

import { DEVICES, launch, shot, watchedPage as openPage } from "./browser.mjs";
import { start } from "./server.mjs";

let server;
let browser;

before(async () => {
  server = await start();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/** A page that may talk to the service and to the client's app, and nothing else. */
function watchedPage(options = {}) {
  return openPage(browser, [new URL(server.base).origin, new URL(server.client.url).origin], options);
}

async function newCompany(name) {
  return server.api("POST", "/companies", { name });
}

/** Picks the Sandbox, approves at its page, and waits for the journey to say so. */
async function approveSandbox(page) {
  await page.getByRole("button", { name: "Sandbox" }).click();
  await page.getByRole("button", { name: "Approve" }).click();
  await page.getByRole("heading", { name: "Sandbox is connected." }).waitFor();
}

/**
 * A one-time link to the company's journey, as the client's back end makes
 * it: the page it opens proves it is the customer's, so it may show what
 * the customer has shared and take a reminder address.
 */
async function signedLink(company) {
  return (await server.api("POST", `/companies/${company.id}/links`, {})).url;
}

/** Opens a company's journey (by its bare URL unless told) and goes, consenting, to its accounting platforms. */
async function toAccountingPlatforms(page, company, url = company.redirect) {
  await page.goto(url);
  await page.getByRole("button", { name: "Get started" }).click();
  await page.getByRole("button", { name: "Connect Accounting" }).click();
  await page.getByRole("button", { name: "I agree" }).click();
  await page.getByRole("heading", { name: "Choose your accounting platform" }).waitFor();
}

test("a customer connects the Sandbox from the company's redirect and ends at the client's redirectUrl", async () => {
  await server.api("PUT", "/profile", {
    name: "Acme Lending",
    redirectUrl: `${server.client.url}/done?company={companyId}&status={statusCode}&ref={ref}`,
    whiteListUrls: [server.client.url],
    logoUrl: `${server.client.url}/logo.svg`,
    iconUrl: `${server.client.url}/icon.svg`,
  });
  const company = await newCompany("Bolt Cycles");
  const { page, foreign, violations, context } = await watchedPage();

  await page.goto(`${company.redirect}?ref=order-42`);
  await page.getByRole("heading", { name: "Acme Lending would like to connect to your business platforms" }).waitFor();
  const logo = page.getByRole("img", { name: "Acme Lending" });
  await logo.waitFor();
  assert.equal(await logo.evaluate((image) => image.complete && image.naturalWidth > 0), true, "the client's logo shows");
  assert.equal(await page.locator('link[rel="icon"]').getAttribute("href"), `${server.client.url}/icon.svg`);
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
  await approveSandbox(page);
  await shot(page, "5-linked");
  assert.equal(await page.getByRole("button", { name: "What I have shared" }).count(), 0, "the bare company URL proves nothing: what was shared stays hidden");
  // Everything required is linked: Finish is right there, one click from the client's app.
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

for (const { device, suffix, options } of DEVICES) {
  test(`a credentials platform shows each wrong field, the client's verifier refuses a wrong password, then the right values link (${device})`, async () => {
    const company = await newCompany("Credential Traders");
    const { page, violations, context } = await watchedPage({ ...options, locale: "en-GB" });
    await server.api("PATCH", "/integrations/knfz/settings", { credentialsVerifierUrl: `${server.client.url}/verify` });

    await toAccountingPlatforms(page, company);
    await page.getByRole("button", { name: "Sage Intacct" }).click();
    await page.getByRole("heading", { name: "Connect Sage Intacct" }).waitFor();
    await page.getByLabel("Company ID").fill("not valid!");
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    await page.getByText("This value does not have the expected format.").waitFor();
    assert.equal(await page.getByText("This field is required.").count(), 2);
    await shot(page, `7-credentials-errors${suffix}`);
    await page.getByLabel("Company ID").fill("bolt-cycles");
    await page.getByLabel("Web services user ID").fill("ada");
    await page.getByLabel("Web services user password").fill("wrong-pass");
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    const refused = page.getByRole("alert").filter({ hasText: "The Sage Intacct password for ada is wrong." });
    await refused.waitFor();
    // The focus moves once the message is drawn: wait for it, briefly.
    await page.waitForFunction(() => document.activeElement?.getAttribute("role") === "alert", null, { timeout: 2000 }).catch(() => {});
    assert.equal(await refused.evaluate((element) => element === document.activeElement), true, "the focus goes to what was said");
    await shot(page, `31-credentials-refused${suffix}`);
    await page.getByLabel("Web services user password").fill("s3cret-pass");
    // The verifier gives no usable answer (as Link API says after its 10 seconds): nothing is saved, Try again sends the same details.
    const authorization = "**/connections/*/authorization";
    const unchecked = { statusCode: 502, service: "LinkApi", error: "The Sage Intacct details could not be checked just now.", correlationId: "5f0c9a1e2b3d4c5e6f708192a3b4c5d6", canBeRetried: "Yes", detailedErrorCode: 50201 };
    await page.route(authorization, (route) => route.fulfill({ status: 502, contentType: "application/json", body: JSON.stringify(unchecked) }), { times: 1 });
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: "Your details could not be checked just now, so nothing was saved." }).waitFor();
    await shot(page, `33-credentials-unchecked${suffix}`);
    await page.unroute(authorization);
    await page.getByRole("button", { name: "Try again" }).click();
    await page.getByRole("heading", { name: "Sage Intacct is connected." }).waitFor();
    await server.api("PATCH", "/integrations/knfz/settings", { credentialsVerifierUrl: "" });

    assert.equal(await page.content().then((html) => html.includes("s3cret-pass")), false, "nothing typed stays in the page");
    const status = await server.api("GET", `/companies/${company.id}/linkStatus`);
    assert.equal(status.categories[0].linked, true);
    assert.deepEqual(violations, []);
    await context.close();
  });
}

test("without the client's verifier, typed details are said to be saved, not to work", async () => {
  const company = await newCompany("Unverified Ltd");
  const { page, context } = await watchedPage();

  await toAccountingPlatforms(page, company);
  await page.getByRole("button", { name: "Sage Intacct" }).click();
  await page.getByLabel("Company ID").fill("unverified-ltd");
  await page.getByLabel("Web services user ID").fill("ada");
  await page.getByLabel("Web services user password").fill("anything");
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await page.getByRole("heading", { name: "Your Sage Intacct details are saved." }).waitFor();
  await page.getByText(/will check them before using them/).waitFor();
  await shot(page, "32-credentials-saved");
  await context.close();
});

test("the journey speaks French when asked", async () => {
  const company = await newCompany("Boulangerie Paul");
  const { page, context } = await watchedPage();

  await page.goto(`${company.redirect}?locale=fr-FR`);

  await page.getByRole("button", { name: "Commencer" }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), "fr-FR");
  await shot(page, "14-landing-fr");
  await context.close();
});

/** The words a German and a Spanish customer meet on the way through the Sandbox. */
const SPOKEN = {
  "de-DE": {
    landing: "Acme Lending möchte sich mit den Plattformen Ihres Unternehmens verbinden",
    start: "Los geht's",
    categories: "Verbinden Sie Ihre Konten",
    connect: "Verbinden Buchhaltung",
    consent: "Ihre Buchhaltungsdaten mit Acme Lending teilen",
    purpose: "Wir nutzen Ihre Buchhaltungsdaten, um Ihr Unternehmen zu beurteilen und Ihnen unsere Leistungen zu erbringen.",
    dataType: "Kontenplan",
    agree: "Ich stimme zu",
    platforms: "Wählen Sie Ihre Buchhaltungsplattform",
    approve: "Erlauben",
    linked: "Sandbox ist verbunden.",
    finish: "Abschließen",
    done: "Fertig",
  },
  "es-ES": {
    landing: "Acme Lending quiere conectarse a las plataformas de su empresa",
    start: "Empezar",
    categories: "Conecte sus cuentas",
    connect: "Conectar Contabilidad",
    consent: "Compartir sus datos de contabilidad con Acme Lending",
    purpose: "Usamos sus datos contables para evaluar su empresa y prestarle nuestros servicios.",
    dataType: "Plan de cuentas",
    agree: "Acepto",
    platforms: "Elija su plataforma de contabilidad",
    approve: "Autorizar",
    linked: "Sandbox está conectado.",
    finish: "Terminar",
    done: "Listo",
  },
};

for (const [locale, words] of Object.entries(SPOKEN)) {
  test(`a customer whose browser speaks ${locale} goes through the whole journey in it`, async () => {
    const company = await newCompany(`Journey ${locale}`);
    const { page, violations, context } = await watchedPage({ locale });

    await page.goto(company.redirect);
    await page.getByRole("heading", { name: words.landing }).waitFor();
    await page.getByRole("button", { name: words.start, exact: true }).click();
    await page.getByRole("heading", { name: words.categories }).waitFor();
    await page.getByRole("button", { name: words.connect, exact: true }).click();
    await page.getByRole("heading", { name: words.consent }).waitFor();
    // The consent texts and data types are in the customer's language too: what they agree to is what they read.
    await page.getByText(words.purpose).waitFor();
    await page.locator(".data-types li", { hasText: words.dataType }).waitFor();
    assert.equal(await page.getByText("chartOfAccounts").count(), 0, "no data type is shown by its id");
    await page.getByRole("button", { name: words.agree, exact: true }).click();
    await page.getByRole("heading", { name: words.platforms }).waitFor();
    await page.getByRole("button", { name: "Sandbox" }).click();
    // The Sandbox, like a provider, speaks the browser's language.
    await page.getByRole("button", { name: words.approve }).click();
    await page.getByRole("heading", { name: words.linked }).waitFor();
    await page.getByRole("button", { name: words.finish, exact: true }).click();
    await page.getByRole("heading", { name: words.done }).waitFor();
    await shot(page, `15-done-${locale}`);

    const consents = await server.api("GET", `/companies/${company.id}/consents`);
    assert.equal(consents.results[0].locale, locale, "the consent records the locale it was given in");
    assert.equal(consents.results[0].shownTexts.accounting.purpose, words.purpose, "the ledger records the texts in the language they were read in");
    assert.deepEqual(violations, []);
    await context.close();
  });
}

test("a client's default locale and a right-to-left language: the page mirrors and fits 320 px", async () => {
  const before = await server.api("GET", "/linkSettings");
  await server.api("PUT", "/linkSettings", {
    hostedJourney: {
      defaultLocale: "ar",
      texts: { ar: { landingTitle: "تريد {client} الاتصال بمنصات عملك", start: "ابدأ" } },
    },
  });
  const company = await newCompany("Mirror Ltd");
  // The browser asks for a language the page does not speak, so the client's default applies.
  const { page, violations, context } = await watchedPage({ locale: "ja-JP", viewport: { width: 320, height: 720 } });

  try {
    await page.goto(company.redirect);
    await page.getByRole("heading", { name: "تريد Acme Lending الاتصال بمنصات عملك" }).waitFor();
    const [lang, dir] = await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]);
    const start = await page.getByRole("button", { name: "ابدأ" }).boundingBox();
    const brand = await page.locator("header.brand > *").first().boundingBox();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    await shot(page, "16-landing-rtl");

    assert.deepEqual([lang, dir], ["ar", "rtl"]);
    assert.equal(brand.x + brand.width > 320 - 40, true, "the brand starts on the right");
    assert.equal(start.x + start.width <= 320, true);
    assert.equal(width <= 320, true, `no horizontal scrolling (${width} px)`);
    assert.deepEqual(violations, []);
  } finally {
    await server.api("PUT", "/linkSettings", { ...before, version: undefined, created: undefined });
    await context.close();
  }
});

test("a link to no company answers a clear page, in the browser's language", async () => {
  const { page, context } = await watchedPage();

  const unknown = await page.goto(`${server.base}/link/company/0198f3c2-6a7e-7d51-9a0e-3c1f5e2b8d41`);
  assert.equal(unknown.status(), 404);
  assert.equal(await page.locator("h1").textContent(), "This link leads nowhere");
  await shot(page, "29-no-company");
  await context.close();

  const german = await watchedPage({ locale: "de-DE" });
  const malformed = await german.page.goto(`${server.base}/link/company/not-an-id`);
  assert.equal(malformed.status(), 400);
  assert.equal(await german.page.locator("h1").textContent(), "Dieser Link ist ungültig");
  assert.equal(await german.page.evaluate(() => document.documentElement.lang), "de");
  await german.context.close();
});

/** Presses Tab until the focused element's text is `label`, then Enter: the keyboard alone. */
async function tabTo(page, label) {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? "");
    if (focused === label) {
      await page.keyboard.press("Enter");
      return;
    }
  }
  throw new Error(`no control "${label}" could be reached with Tab`);
}

test("the whole Sandbox journey can be done with the keyboard alone", async () => {
  const company = await newCompany("Keyboard Ltd");
  const { page, violations, context } = await watchedPage();

  await page.goto(company.redirect);
  await page.getByRole("heading", { name: /would like to connect/ }).waitFor();
  await tabTo(page, "Get started");
  await page.getByRole("heading", { name: "Connect your accounts" }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), "H1", "the new screen's heading has the focus");
  await tabTo(page, "Connect Accounting");
  await page.getByRole("heading", { name: /Share your accounting data/ }).waitFor();
  await tabTo(page, "I agree");
  await page.getByRole("heading", { name: "Choose your accounting platform" }).waitFor();
  await page.keyboard.press("Tab");
  await page.keyboard.type("Sandbox");
  await tabTo(page, "Sandbox");
  await page.getByRole("button", { name: "Approve" }).waitFor();
  await tabTo(page, "Approve");
  await page.getByRole("heading", { name: "Sandbox is connected." }).waitFor();

  const status = await server.api("GET", `/companies/${company.id}/linkStatus`);
  assert.equal(status.complete, true);
  assert.deepEqual(violations, []);
  await context.close();
});

test("on a phone, desktop-only platforms say why they cannot be connected there", async () => {
  const company = await newCompany("Pocket Ltd");
  await server.api("POST", `/companies/${company.id}/consents`, { categories: ["accounting"] });
  const { page, context } = await watchedPage({ viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true });

  await page.goto(company.redirect);
  await page.getByRole("button", { name: "Connect Accounting" }).click();
  await page.getByRole("heading", { name: "Choose your accounting platform" }).waitFor();
  await shot(page, "8-platforms-phone");

  const desktop = page.getByRole("button", { name: "QuickBooks Desktop", exact: true });
  assert.equal(await desktop.isDisabled(), true);
  assert.equal(
    await page.getByText("QuickBooks Desktop can only be connected from a computer. Open this page on your computer to continue.").count(),
    1,
  );
  assert.equal(await page.getByText("Needs a package installed on your computer.").count() >= 1, true);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.equal(width <= 360, true, `no horizontal scrolling (${width} px)`);

  await page.getByRole("button", { name: "Send this to my computer (QuickBooks Desktop)" }).click();
  await page.getByLabel("Your email address (to send the link to yourself)").fill("owner@pocket.example");
  await page.getByRole("button", { name: "Create the invitation" }).click();
  await page.getByRole("heading", { name: "Invitation ready" }).waitFor();
  const invitations = await server.api("GET", `/companies/${company.id}/invitations`);
  assert.equal(invitations.results[0].recipientEmail, "owner@pocket.example");
  assert.deepEqual(invitations.results[0].categories, ["accounting"]);
  await context.close();
});

test("the journey follows a dark colour scheme", async () => {
  const company = await newCompany("Night Owl Ltd");
  const { page, context } = await watchedPage({ colorScheme: "dark" });

  await page.goto(company.redirect);
  await page.getByRole("button", { name: "Get started" }).click();
  await page.getByRole("heading", { name: "Connect your accounts" }).waitFor();
  await shot(page, "9-categories-dark");

  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(background, "rgb(13, 17, 23)");
  await context.close();
});

test("what the customer has shared can be read back and withdrawn from the journey", async () => {
  const company = await newCompany("Transparent Ltd");
  const { page, violations, context } = await watchedPage();
  await toAccountingPlatforms(page, company, await signedLink(company));
  await approveSandbox(page);

  await page.getByRole("button", { name: "What I have shared" }).click();
  await page.getByRole("heading", { name: "What you have shared" }).waitFor();
  await page.getByText("What you agreed to for accounting data").click();
  await page.getByText("We read your accounting data; we never change it.").waitFor();
  await shot(page, "10-shared");
  const receipt = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download the receipt" }).click();
  const download = await receipt;
  assert.equal(download.suggestedFilename(), "consent-1.html");
  const saved = readFileSync(await download.path(), "utf8");
  assert.equal(await page.getByRole("button", { name: "Print the receipts" }).count(), 1);
  await page.getByRole("button", { name: "Withdraw this consent" }).click();
  await page.getByRole("dialog", { name: "Withdraw this consent?" }).getByRole("button", { name: "Withdraw this consent" }).click();
  await page.getByRole("status").waitFor();
  const withdrawn = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download the receipt" }).click();
  const later = readFileSync(await (await withdrawn).path(), "utf8");

  // A receipt a person reads and prints: who, with whom, what was agreed, when, and how to take it back.
  assert.match(saved, /^<!doctype html>/);
  assert.match(saved, /You agreed to share data of Transparent Ltd with Acme Lending\./);
  assert.match(saved, /<dd>We read your accounting data; we never change it\.<\/dd>/);
  assert.match(saved, /<li>Chart of accounts<\/li>/);
  assert.match(saved, /You can withdraw it at any time/);
  assert.match(later, /Withdrawn on /);
  // What it shows is set as text: a receipt is never a page that runs anything.
  assert.doesNotMatch(saved, /<script/);
  const ledger = await server.api("GET", `/companies/${company.id}/consents`);
  assert.deepEqual(ledger.results.map((r) => r.kind), ["Granted", "Withdrawn"]);
  const connections = await server.api("GET", `/companies/${company.id}/connections`);
  assert.equal(connections.results[0].status, "Deauthorized");
  assert.equal(await page.getByText("Sandbox — access ended").count(), 1);
  assert.deepEqual(violations, []);
  await context.close();
});

for (const { device, suffix, options } of DEVICES) {
  test(`a colleague invited from the journey gets it by email and opens it limited to the invited category (${device})`, async () => {
    const before = await server.api("GET", "/linkSettings");
    await server.api("PUT", "/linkSettings", { ...before, version: undefined, created: undefined, emailInvitations: true });
    const company = await newCompany("Invite Ltd");
    const { page, violations, context } = await watchedPage(options);
    try {
      await page.goto(company.redirect);
      await page.getByRole("button", { name: "Get started" }).click();

      await page.getByRole("button", { name: "Someone else has the login? (Banking)" }).click();
      await page.getByRole("button", { name: "Create the invitation" }).click();
      await page.getByText("Give their email address or their name, so the invitation says who it is for.").waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.id), "invite-email", "the focus is on the field to fill");
      await page.getByLabel("Their name").fill("Grace Hopper");
      await page.getByLabel("Their email address").fill("not an address");
      await page.getByRole("button", { name: "Create the invitation" }).click();
      // The API's refusal is said in the customer's words, not as the field's id.
      await page.getByText("Enter an email address such as name@example.com.").waitFor();
      await page.getByLabel("Their email address").fill("grace@example.com");
      await page.getByLabel("A message (optional)").fill("Could you connect the business bank account?");
      await page.getByRole("button", { name: "Create the invitation" }).click();
      await page.getByRole("heading", { name: "Invitation ready" }).waitFor();
      await page.getByText("We are emailing this link to grace@example.com.", { exact: false }).waitFor();
      assert.equal(await page.getByRole("link", { name: "Send by email" }).count(), 0, "no mailto link when Link API sends it");
      await shot(page, `11-invitation${suffix}`);
      const share = await page.getByLabel("Invitation link").inputValue();
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.base });
      await page.getByRole("button", { name: "Copy the link" }).click();
      await page.getByRole("button", { name: "Copied" }).waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), share, "the share link is on the clipboard");

      const colleague = await watchedPage(options);
      await colleague.page.goto(share);
      await colleague.page.getByRole("heading", { name: /^Connect Invite Ltd's accounts for / }).waitFor();
      await colleague.page.getByText("Hello Grace Hopper,").waitFor();
      await colleague.page.getByText("Could you connect the business bank account?").waitFor();
      await shot(colleague.page, `23-invitee-landing${suffix}`);
      await colleague.page.getByRole("button", { name: "Get started" }).click();
      await colleague.page.getByRole("heading", { name: "Connect your accounts" }).waitFor();
      const shown = await colleague.page.getByRole("heading", { level: 2 }).allTextContents();

      assert.deepEqual(shown, ["Banking"], "only the invited category");
      assert.equal(await colleague.page.getByRole("button", { name: /Someone else has the login/ }).count(), 0);
      const invitations = await server.api("GET", `/companies/${company.id}/invitations`);
      assert.equal(invitations.results[0].status, "opened");
      assert.equal(invitations.results[0].recipientName, "Grace Hopper");
      assert.equal(invitations.results[0].email.status, "Pending", "in the outbox");
      assert.deepEqual([...violations, ...colleague.violations], []);
      await colleague.context.close();
    } finally {
      await server.api("PUT", "/linkSettings", { ...before, version: undefined, created: undefined });
      await context.close();
    }
  });
}

test("a customer who denies at the provider can try again and connect", async () => {
  const company = await newCompany("Second Thoughts Ltd");
  const { page, violations, context } = await watchedPage();
  await toAccountingPlatforms(page, company);
  await page.getByRole("button", { name: "Sandbox" }).click();

  await page.getByRole("button", { name: "Deny" }).click();
  await page.getByRole("heading", { name: "Sandbox was not connected" }).waitFor();
  assert.equal(await page.getByRole("alert").textContent(), "You cancelled the connection to Sandbox.");
  await shot(page, "12-cancelled");
  await page.getByRole("button", { name: "Try again" }).click();
  await approveSandbox(page);

  const connections = await server.api("GET", `/companies/${company.id}/connections`);
  assert.equal(connections.results.length, 1, "the same connection was authorized again");
  assert.equal(connections.results[0].status, "Linked");
  assert.deepEqual(violations, []);
  await context.close();
});

for (const { device, suffix, options } of DEVICES) {
  test(`only platforms a customer can connect are offered, and one that failed can be left for another (${device})`, async () => {
    const company = await newCompany("Change Of Mind Ltd");
    const { page, violations, context } = await watchedPage(options);
    await toAccountingPlatforms(page, company);

    // No OAuth application is registered for Xero or QuickBooks Online here: they are not offered.
    await page.getByRole("button", { name: "Sage Intacct" }).waitFor();
    assert.equal(await page.getByRole("button", { name: "Xero" }).count(), 0);
    assert.equal(await page.getByRole("button", { name: "QuickBooks Online" }).count(), 0);
    await page.getByRole("button", { name: "Sandbox" }).click();
    await page.getByRole("button", { name: "Deny" }).click();
    await page.getByRole("heading", { name: "Sandbox was not connected" }).waitFor();
    await page.getByRole("button", { name: "Choose another platform" }).click();
    // Once the client registers its application, Xero is offered.
    await server.api("PATCH", "/integrations/gbol/settings", { oauthClientId: "acme-xero", oauthClientSecret: "not-a-real-secret" });
    try {
      await page.reload();
      await page.getByRole("button", { name: "Xero" }).waitFor();
    } finally {
      await server.api("PATCH", "/integrations/gbol/settings", { oauthClientId: "", oauthClientSecret: "" });
    }
    await approveSandbox(page);

    // A category none of whose platforms a customer can connect (Plaid and TrueLayer need the client) says whom to ask.
    await page.getByRole("button", { name: "Connect more" }).click();
    await page.getByRole("button", { name: "Connect Banking" }).click();
    await page.getByRole("button", { name: "I agree" }).click();
    await page.getByRole("status").filter({ hasText: "No banking platform can be connected here yet." }).waitFor();
    assert.equal(await page.getByRole("searchbox").count(), 0);
    await shot(page, `30-no-platforms${suffix}`);

    const connections = await server.api("GET", `/companies/${company.id}/connections`);
    assert.deepEqual(connections.results.map((c) => [c.integrationKey, c.status]), [["mqjo", "Linked"]]);
    assert.deepEqual(violations, []);
    await context.close();
  });
}

test("the client's link settings shape the page: no landing, no Sandbox, its colour, a help link", async () => {
  const before = await server.api("GET", "/linkSettings");
  await server.api("PUT", "/linkSettings", {
    hostedJourney: {
      showLandingPage: false,
      showSandbox: false,
      showSecuredBy: false,
      primaryColour: "#ffd000",
      helpUrl: "https://help.example/link",
      texts: {
        en: {
          categoriesTitle: "Link your books with {client}",
          categoriesBody: "Read **our terms** on [our site](https://terms.example/) first.\n\n<script>window.hacked = true</script> stays text.",
        },
        "fr-CA": { categoriesTitle: "Liez vos livres à {client}" },
      },
    },
  });
  const company = await newCompany("Branded Ltd");
  await server.api("POST", `/companies/${company.id}/consents`, { categories: ["accounting"] });
  const { page, violations, context } = await watchedPage();

  try {
    await page.goto(`${company.redirect}?locale=fr-CA`);
    await page.getByRole("heading", { name: "Liez vos livres à Acme Lending" }).waitFor();
    await page.goto(company.redirect);
    await page.getByRole("heading", { name: "Link your books with Acme Lending" }).waitFor();
    assert.equal(await page.locator("strong", { hasText: "our terms" }).count(), 1);
    assert.equal(await page.getByRole("link", { name: "our site" }).getAttribute("href"), "https://terms.example/");
    await page.getByText("<script>window.hacked = true</script> stays text.").waitFor();
    assert.equal(await page.evaluate(() => window.hacked), undefined, "the client's text is never markup");
    const button = page.getByRole("button", { name: "Connect Accounting" });
    const colours = await button.evaluate((b) => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]);
    await shot(page, "13-branded");
    await button.click();
    await page.getByRole("heading", { name: "Choose your accounting platform" }).waitFor();

    await page.getByRole("button", { name: "Sage Intacct" }).waitFor();

    assert.deepEqual(colours, ["rgb(255, 208, 0)", "rgb(0, 0, 0)"], "the client's colour, with the text that reads on it");
    assert.equal(await page.getByRole("button", { name: "Sandbox" }).count(), 0);
    assert.equal(await page.getByRole("link", { name: "Help" }).getAttribute("href"), "https://help.example/link");
    assert.equal(await page.getByText("Secured by Link API").count(), 0);
    assert.deepEqual(violations, []);
  } finally {
    await server.api("PUT", "/linkSettings", { ...before, version: undefined, created: undefined });
    await context.close();
  }
});

test("with signed links required, only a link opens the journey, and the provider's return still finds it", async () => {
  const before = await server.api("GET", "/linkSettings");
  await server.api("PUT", "/linkSettings", { hostedJourney: { requireSignedLinks: true } });
  const company = await newCompany("Signed Journey Ltd");
  const link = await server.api("POST", `/companies/${company.id}/links`, { expiresInMinutes: 30 });
  const { page, violations, context } = await watchedPage();

  try {
    const bare = await page.goto(company.redirect);
    assert.equal(bare.status(), 403);
    await page.getByRole("heading", { name: "Open the link you were sent" }).waitFor();
    // A mail scanner fetches the address first, as it does every link of an email.
    const scanned = await fetch(link.url);
    assert.equal(scanned.status, 200);
    await page.goto(link.url);
    await page.getByRole("button", { name: "Get started" }).waitFor();
    assert.equal(new URL(page.url()).searchParams.has("link"), false, "the used-up token leaves the address");
    await page.getByRole("button", { name: "Get started" }).click();
    await page.getByRole("button", { name: "Connect Accounting" }).click();
    await page.getByRole("button", { name: "I agree" }).click();
    await approveSandbox(page);
    assert.equal(await page.getByRole("button", { name: "What I have shared" }).count(), 1, "a signed link proves the customer");

    const other = await browser.newContext();
    const again = await (await other.newPage()).goto(link.url);
    assert.equal(again.status(), 409, "a link opens the journey once");
    await other.close();
    assert.deepEqual(violations, []);
  } finally {
    await server.api("PUT", "/linkSettings", { ...before, version: undefined, created: undefined });
    await context.close();
  }
});

test("a customer disconnects a platform from what they have shared, after confirming", async () => {
  const company = await newCompany("Second Look Ltd");
  const { page, violations, context } = await watchedPage();
  await toAccountingPlatforms(page, company, await signedLink(company));
  await approveSandbox(page);
  await page.getByRole("button", { name: "What I have shared" }).click();

  const opener = page.getByRole("button", { name: "Disconnect Sandbox" });
  await opener.click();
  const dialog = page.getByRole("dialog", { name: "Disconnect Sandbox?" });
  await dialog.waitFor();
  await shot(page, "17-disconnect", { fullPage: false });
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Cancel", "the safe answer has the focus");
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), "Disconnect Sandbox", "the focus returns to the opener");
  const kept = await server.api("GET", `/companies/${company.id}/connections`);
  assert.equal(kept.results[0].status, "Linked", "Escape changes nothing");
  await opener.click();
  await dialog.getByRole("button", { name: "Disconnect" }).click();
  await page.getByRole("status").filter({ hasText: "Sandbox is disconnected." }).waitFor();

  const connections = await server.api("GET", `/companies/${company.id}/connections`);
  assert.equal(connections.results[0].status, "Unlinked");
  const history = await server.api("GET", `/companies/${company.id}/connections/${connections.results[0].id}/history`);
  assert.equal(history.results.at(-1).cause, "UnlinkedByCustomer");
  assert.equal(await page.getByText("Sandbox — disconnected").count(), 1);
  assert.deepEqual(violations, []);
  await context.close();
});

test("leaving before the end asks first, in the client's words, offers a reminder by email, and the same link resumes", async () => {
  const before = await server.api("GET", "/linkSettings");
  await server.api("PUT", "/linkSettings", {
    hostedJourney: { texts: { en: { exitConfirmation: "Your progress with {client} is saved." } } },
    reminders: { sendEmails: true },
  });
  const company = await newCompany("Half Way Ltd");
  await server.api("POST", `/companies/${company.id}/consents`, { categories: ["accounting"] });
  const { page, violations, context } = await watchedPage();

  try {
    await page.goto(await signedLink(company));
    await page.getByRole("heading", { name: "Connect your accounts" }).waitFor();
    await page.getByRole("button", { name: "Leave for now" }).click();
    const dialog = page.getByRole("dialog", { name: "Leave the journey?" });
    await dialog.getByText("Your progress with Acme Lending is saved.").waitFor();
    await shot(page, "18-leave", { fullPage: false });
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press("Tab");
      const inside = await page.evaluate(() => !document.activeElement || document.activeElement === document.body || !!document.activeElement.closest("dialog"));
      assert.equal(inside, true, "Tab stays inside the dialog");
    }
    await dialog.getByRole("button", { name: "Stay" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("heading", { name: "Connect your accounts" }).waitFor();
    await page.getByRole("button", { name: "Leave for now" }).click();
    await dialog.getByRole("button", { name: "Leave" }).click();
    await page.getByRole("heading", { name: "You can come back at any time" }).waitFor();
    assert.equal(await page.getByRole("button", { name: "Leave for now" }).count(), 0);
    await shot(page, "20-remind-me");
    await page.getByLabel("Email me a reminder").fill("not an address");
    await page.getByRole("button", { name: "Remind me" }).click();
    await page.getByRole("alert").getByText("Enter an email address such as name@example.com.").waitFor();
    await page.getByLabel("Email me a reminder").fill("owner@halfway.example");
    await page.getByRole("button", { name: "Remind me" }).click();
    await page.getByText("We will remind you at owner@halfway.example.").waitFor();
    await shot(page, "21-reminder-saved");
    const reminders = await server.api("GET", `/companies/${company.id}/reminders`);
    assert.equal(reminders.email, "owner@halfway.example");
    assert.equal(reminders.enabled, true);
    await page.goto(company.redirect);
    await page.getByRole("heading", { name: "Connect your accounts" }).waitFor();
    assert.equal(await page.getByRole("button", { name: "What I have shared" }).count(), 1, "this browser holds the link's session");

    // Someone else who knows the company's URL continues the journey, but is not asked where reminders go.
    const stranger = await watchedPage();
    await stranger.page.goto(company.redirect);
    await stranger.page.getByRole("heading", { name: "Connect your accounts" }).waitFor();
    assert.equal(await stranger.page.getByRole("button", { name: "What I have shared" }).count(), 0);
    await stranger.page.getByRole("button", { name: "Leave for now" }).click();
    await stranger.page.getByRole("dialog", { name: "Leave the journey?" }).getByRole("button", { name: "Leave" }).click();
    await stranger.page.getByRole("heading", { name: "You can come back at any time" }).waitFor();
    assert.equal(await stranger.page.getByLabel("Email me a reminder").count(), 0, "only the customer's own link is asked for an address");
    await stranger.context.close();
    assert.deepEqual([...violations, ...stranger.violations], []);
  } finally {
    await server.api("PUT", "/linkSettings", { ...before, version: undefined, created: undefined });
    await context.close();
  }
});

test("a desktop connector links to its download, waits for its agent, then moves on by itself", async () => {
  const company = await newCompany("Ledger Desk Ltd");
  await server.api("POST", `/companies/${company.id}/consents`, { categories: ["accounting"] });
  await server.api("PATCH", "/integrations/pqsw/settings", { desktopConnectorUrl: "https://downloads.acme.example/qbd-connector" });
  const { page, violations, context } = await watchedPage({ viewport: { width: 1024, height: 800 } });
  await page.goto(company.redirect);
  await page.getByRole("button", { name: "Connect Accounting" }).click();

  await page.getByRole("button", { name: "QuickBooks Desktop", exact: true }).click();
  await page.getByRole("heading", { name: "Connect QuickBooks Desktop from your computer" }).waitFor();
  const connections = await server.api("GET", `/companies/${company.id}/connections`);
  const [waiting] = connections.results;
  assert.deepEqual([waiting.integrationKey, waiting.status], ["pqsw", "PendingAuth"]);
  assert.equal(await page.locator(".reference code").textContent(), waiting.id, "the reference the connector asks for");
  await page.getByRole("status").filter({ hasText: "Waiting for the connector…" }).waitFor();
  const download = page.getByRole("link", { name: "Download the QuickBooks Desktop connector" });
  assert.equal(await download.getAttribute("href"), "https://downloads.acme.example/qbd-connector");
  await server.api("PATCH", "/integrations/pqsw/settings", { desktopConnectorUrl: "" });
  await shot(page, "19-desktop-waiting");
  // The connector on the customer's computer reports in: the page's next look at the connection finds it linked.
  await page.route(`**/connections/${waiting.id}`, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, json: { ...(await response.json()), status: "Linked" } });
  });
  await page.getByRole("heading", { name: "QuickBooks Desktop is connected." }).waitFor({ timeout: 10000 });
  assert.deepEqual(violations, []);
  await context.close();
});

test("a client's own journey: after the Sandbox, the customer lands on the client's redirectUrl on its own origin", async () => {
  const profile = await server.api("GET", "/profile");
  await server.api("PUT", "/profile", {
    name: "Acme Lending",
    redirectUrl: `${server.client.url}/redirect?company={companyId}&status={statusCode}`,
    whiteListUrls: [],
  });
  const { page, violations, context } = await watchedPage();
  try {
    const outcomes = [];
    for (const decision of ["Approve", "Deny"]) {
      const company = await newCompany(`Own UI ${decision} Ltd`);
      await server.api("POST", `/companies/${company.id}/consents`, { categories: ["accounting"] });
      const connection = await server.api("POST", `/companies/${company.id}/connections`, { platformKey: "mqjo" });
      await page.goto(connection.linkUrl);
      await page.getByRole("button", { name: decision }).click();
      await page.getByRole("heading", { name: "Back in the client's app" }).waitFor();
      outcomes.push(new URL(page.url()).search);
      const linked = await server.api("GET", `/companies/${company.id}/connections/${connection.id}`);
      outcomes.push(linked.status);
    }

    assert.equal(new URL(page.url()).origin, server.client.url, "the browser left the Sandbox for the client's site");
    assert.deepEqual(outcomes.map((o) => o.replace(/company=[^&]+/, "company=…")), [
      "?company=…&status=200",
      "Linked",
      "?company=…&status=403",
      "PendingAuth",
    ]);
    assert.deepEqual(violations, []);
  } finally {
    await server.api("PUT", "/profile", { ...profile, whiteListUrls: profile.whiteListUrls ?? [] });
    await context.close();
  }
});

test("a flow built for Codat records no consent: the customer gives it on Link API's consent step, then goes on to the provider or back", async () => {
  const profile = await server.api("GET", "/profile");
  await server.api("PUT", "/profile", {
    name: "Acme Lending",
    redirectUrl: `${server.client.url}/redirect?status={statusCode}&text={statusText}&ref={ref}`,
    whiteListUrls: [],
  });
  const { page, violations, context } = await watchedPage({ locale: "fr-FR" });
  try {
    const agreed = await newCompany("Ported Ltd");
    const connection = await server.api("POST", `/companies/${agreed.id}/connections`, { platformKey: "mqjo" });
    await page.goto(`${connection.linkUrl}?ref=order-7`);
    await page.getByRole("heading", { level: 1, name: /^Partager vos données .* avec Acme Lending$/ }).waitFor();
    await shot(page, "22-consent-step");
    await page.reload();
    await page.getByRole("heading", { level: 1, name: /^Partager vos données .* avec Acme Lending$/ }).waitFor();
    await page.getByRole("button", { name: "J'accepte" }).click();
    await page.getByRole("button", { name: "Autoriser" }).click();
    await page.getByRole("heading", { name: "Back in the client's app" }).waitFor();
    const landed = new URL(page.url()).search;
    const ledger = await server.api("GET", `/companies/${agreed.id}/consents`);
    const linked = await server.api("GET", `/companies/${agreed.id}/connections/${connection.id}`);

    const declining = await newCompany("Declining Ltd");
    const other = await server.api("POST", `/companies/${declining.id}/connections`, { platformKey: "mqjo" });
    await page.goto(`${other.linkUrl}?ref=order-8`);
    await page.getByRole("button", { name: "Pas maintenant" }).click();
    await page.getByRole("heading", { name: "Back in the client's app" }).waitFor();
    const declined = new URL(page.url()).search;

    assert.equal(landed, "?status=200&text=Linked&ref=order-7");
    assert.equal(linked.status, "Linked");
    assert.equal(ledger.results.length, 1, "the consent step recorded the customer's consent");
    assert.deepEqual(ledger.results[0].categories, ["accounting"]);
    assert.equal(ledger.results[0].locale, "fr-FR", "in the language the customer read");
    assert.equal(declined, "?status=403&text=ConsentRequired&ref=order-8");
    assert.deepEqual(violations, []);
  } finally {
    await server.api("PUT", "/profile", { ...profile, whiteListUrls: profile.whiteListUrls ?? [] });
    await context.close();
  }
});

for (const { device, suffix, options } of DEVICES) {
  test(`a connection lost at I agree: the customer stays on the screen, is told why, and goes on when it is back (${device})`, async () => {
    const company = await newCompany("Offline Olives");
    const { page, context, violations } = await watchedPage({ ...options, locale: "fr-FR" });
    const consents = `**/companies/${company.id}/consents`;

    await page.goto(company.redirect);
    await page.getByRole("button", { name: "Commencer" }).click();
    await page.getByRole("button", { name: "Connecter Comptabilité" }).click();
    const agree = page.getByRole("button", { name: "J'accepte" });

    // The network drops: the screen stays, its ways out stay, and the connection's return finishes what was asked.
    await context.setOffline(true);
    await agree.click();
    await page.getByRole("status").filter({ hasText: "Vous êtes hors ligne" }).waitFor();
    assert.equal(await agree.isEnabled(), true);
    assert.equal(await page.getByRole("button", { name: "Partir pour l'instant" }).count(), 1);
    await shot(page, `23-offline-fr${suffix}`);
    await context.setOffline(false);
    await page.getByRole("heading", { name: "Choisissez votre plateforme de comptabilité" }).waitFor();
    assert.equal((await server.api("GET", `/companies/${company.id}/consents`)).results.length, 1);

    // The service cannot be reached (the network is up): said in words, with Try again, which the focus is on.
    await page.goBack();
    await page.getByRole("heading", { name: "Connectez vos comptes" }).waitFor();
    await page.getByRole("button", { name: "Connecter Banque" }).click();
    await page.route(consents, (route) => route.abort("connectionrefused"));
    await page.getByRole("button", { name: "J'accepte" }).click();
    const alert = page.getByRole("alert");
    await alert.filter({ hasText: "Le service est injoignable" }).waitFor();
    // The focus moves once the failure is drawn: wait for it, briefly.
    await page.waitForFunction(() => document.activeElement?.getAttribute("role") === "alert", null, { timeout: 2000 }).catch(() => {});
    assert.equal(await alert.evaluate((element) => element === document.activeElement), true, "the failure takes the focus");
    await shot(page, `24-unreachable-fr${suffix}`);

    // The service answers that it is in trouble: its kind is said in French, not its English message.
    await page.unroute(consents);
    const unavailable = { statusCode: 503, service: "LinkApi", error: "The store is temporarily unavailable.", correlationId: "0a40c2f31fc8f992fb88b0853e4166f3", canBeRetried: "Yes", detailedErrorCode: 50301 };
    await page.route(consents, (route) => route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify(unavailable) }), { times: 1 });
    await page.getByRole("button", { name: "Réessayer" }).click();
    await alert.filter({ hasText: "Le service rencontre un problème" }).waitFor();
    assert.match(await alert.textContent(), /0a40c2f31fc8f992fb88b0853e4166f3/);
    await page.getByRole("button", { name: "Réessayer" }).click();
    await page.getByRole("heading", { name: "Choisissez votre plateforme de banque" }).waitFor();
    assert.equal(await page.getByRole("alert").count(), 0, "the failure is gone once the call succeeds");
    assert.equal((await server.api("GET", `/companies/${company.id}/consents`)).results.length, 2);
    assert.deepEqual(violations, []);
    await context.close();
  });
}

for (const { device, suffix, options } of DEVICES) {
  test(`a journey that cannot load offers Try again, and loads when the service answers (${device})`, async () => {
    const company = await newCompany("Patient Pears");
    const { page, context } = await watchedPage(options);
    await page.route("**/linkSettings", (route) => route.abort("connectionrefused"), { times: 1 });

    await page.goto(company.redirect);

    await page.getByText("The service could not be reached.").waitFor();
    await shot(page, `25-load-failed${suffix}`);
    await page.getByRole("button", { name: "Try again" }).click();
    await page.getByRole("button", { name: "Get started" }).waitFor();
    await context.close();
  });
}

for (const { device, suffix, options } of DEVICES) {
  test(`Back and Forward move between the journey's screens, and a reload stays on the screen (${device})`, async () => {
    const company = await newCompany("Historic Hats");
    const { page, context } = await watchedPage(options);
    const heading = (name) => page.getByRole("heading", { name }).waitFor();

    await toAccountingPlatforms(page, company);
    // The consent, once given, is not a step Back returns to.
    await page.goBack();
    await heading("Connect your accounts");
    await page.goBack();
    await heading(/would like to connect to your business platforms$/);
    await page.goForward();
    await heading("Connect your accounts");
    await page.goForward();
    await heading("Choose your accounting platform");
    await page.reload();
    await heading("Choose your accounting platform");
    await page.goBack();
    await heading("Connect your accounts");
    assert.equal((await server.api("GET", `/companies/${company.id}/consents`)).results.length, 1, "moving about records nothing twice");

    // Back from the provider's answer meets the provider's page, which says how to go on, then the journey where it was.
    await page.goForward();
    await heading("Choose your accounting platform");
    await approveSandbox(page);
    await page.goBack();
    await heading("This sign-in was already answered");
    await shot(page, `28-sandbox-answered${suffix}`);
    await page.goBack();
    await heading("Choose your accounting platform");
    await page.goForward();
    await page.goForward();
    await heading("Sandbox is connected.");
    await context.close();
  });
}

test("a revoked invitation says so in the customer's language, and whom to ask", async () => {
  const profile = await server.api("GET", "/profile");
  await server.api("PUT", "/profile", { ...profile, name: "Acme Lending", whiteListUrls: profile.whiteListUrls ?? [] });
  const company = await newCompany("Refused Radishes");
  const invitation = await server.api("POST", `/companies/${company.id}/invitations`, { categories: ["accounting"], recipient: { name: "Claire" } });
  await server.api("DELETE", `/companies/${company.id}/invitations/${invitation.id}`);
  const { page, context } = await watchedPage({ locale: "fr-FR" });
  const says = async (url, title, body) => {
    await page.goto(url);
    await page.getByRole("heading", { name: title }).waitFor();
    assert.equal(await page.getByRole("alert").textContent(), body);
    assert.equal(await page.getByRole("button", { name: "Réessayer" }).count(), 0, "trying again cannot help");
  };
  await says(invitation.shareUrl, "Cette invitation a pris fin", "Elle a expiré ou a été retirée. Demandez à la personne qui vous a invité de vous en envoyer une nouvelle.");
  await shot(page, "27-invitation-ended-fr");
  await context.close();
});

test("consent texts the client wrote in one language are marked with it on a page in another", async () => {
  const before = await server.api("GET", "/linkSettings");
  const own = { purpose: "To price your loan.", access: "Read only.", accountInformation: "Your ledgers.", platformData: "Invoices and bills.", retention: "Twelve months." };
  await server.api("PUT", "/linkSettings", { categories: { accounting: { required: true, dataTypes: ["invoices", "customReport"], consentTexts: own } } });
  const company = await newCompany("Bilingual Bakes");
  const { page, context } = await watchedPage({ locale: "fr-FR" });
  try {
    await page.goto(company.redirect);
    await page.getByRole("button", { name: "Commencer" }).click();
    await page.getByRole("button", { name: "Connecter Comptabilité" }).click();
    const purpose = page.getByText("To price your loan.");
    await purpose.waitFor();
    assert.equal(await purpose.getAttribute("lang"), "en", "a screen reader reads it as English");
    assert.equal(await page.locator(".data-types li", { hasText: "Factures de vente" }).getAttribute("lang"), null);
    assert.equal(await page.locator(".data-types li", { hasText: "Custom report" }).getAttribute("lang"), "en", "an unknown data type is spelled out, not shown by its id");
    await shot(page, "33-consent-fallback-fr");
  } finally {
    await server.api("PUT", "/linkSettings", { ...before, version: undefined, created: undefined });
    await context.close();
  }
});

test("strong brand colours read on every surface: the page, its cards and its buttons", async () => {
  const before = await server.api("GET", "/linkSettings");
  try {
    for (const colour of ["#e4007c", "#ffcc00", "#00a3e0", "#1a1a1a"]) {
      await server.api("PUT", "/linkSettings", { hostedJourney: { primaryColour: colour, primaryColourDark: colour } });
      const company = await newCompany(`Brand ${colour}`);
      for (const colorScheme of ["light", "dark"]) {
        const { page, context } = await watchedPage({ colorScheme });
        const name = `34-brand-${colour.slice(1)}-${colorScheme}`;
        await page.goto(company.redirect);
        await page.getByRole("button", { name: "Get started" }).click();
        // The categories' cards carry a badge in the colour; axe checks each surface.
        await page.getByRole("heading", { name: "Connect your accounts" }).waitFor();
        await shot(page, `${name}-categories`);
        await page.getByRole("button", { name: "Connect Accounting" }).click();
        await page.getByRole("heading", { name: /^Share your accounting data/ }).waitFor();
        await shot(page, `${name}-consent`);
        await context.close();
      }
    }
  } finally {
    await server.api("PUT", "/linkSettings", { ...before, version: undefined, created: undefined });
  }
});

test("platforms are searched by their other names, the most used first, and the count is announced", async () => {
  const company = await newCompany("Search Supplies");
  const { page, context } = await watchedPage();
  await toAccountingPlatforms(page, company);

  const names = () => page.locator(".platforms .platform .name").allTextContents();
  assert.equal((await names())[0], "QuickBooks Desktop", "the most used platform a customer can connect comes first");
  const search = page.getByRole("searchbox", { name: "Search platforms" });
  for (const [typed, found] of [["intuit", ["QuickBooks Desktop"]], ["Quick Books", ["QuickBooks Desktop"]], ["netsuite", ["Oracle NetSuite"]]]) {
    await search.fill(typed);
    await page.getByRole("status").filter({ hasText: "1 platform found." }).waitFor();
    assert.deepEqual(await names(), found, typed);
  }
  await search.fill("sage");
  await page.getByRole("status").filter({ hasText: /^\d+ platforms found\.$/ }).waitFor();
  assert.deepEqual(await names(), ["Sage 50", "Sage Intacct"]);
  await context.close();
});

test("Arabic is shipped whole: the journey, its consent and data types, and Link API's pages read right to left", async () => {
  const company = await newCompany("Arabic Atelier");
  const { page, violations, context } = await watchedPage({ locale: "ar-EG", viewport: { width: 390, height: 844 } });

  await page.goto(company.redirect);
  await page.getByRole("heading", { name: "تود Acme Lending الاتصال بمنصات أعمالك" }).waitFor();
  assert.deepEqual(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), ["ar-EG", "rtl"]);
  await page.getByRole("button", { name: "ابدأ" }).click();
  await page.getByRole("heading", { name: "اربط حساباتك" }).waitFor();
  await shot(page, "35-categories-ar");
  await page.getByRole("button", { name: "ربط المحاسبة" }).click();
  await page.getByRole("heading", { name: "شارك بيانات المحاسبة مع Acme Lending" }).waitFor();
  await page.getByText("نقرأ بياناتك المحاسبية؛ ولا نغيّرها أبدًا.").waitFor();
  await page.locator(".data-types li", { hasText: "دليل الحسابات" }).waitFor();
  assert.equal(await page.locator("[lang=en]").count(), 0, "nothing on the consent screen falls back to English");
  await shot(page, "36-consent-ar");
  await page.getByRole("button", { name: "أوافق" }).click();
  await page.getByRole("heading", { name: "اختر منصة المحاسبة" }).waitFor();
  await page.getByRole("button", { name: "Sandbox" }).click();
  await page.getByRole("button", { name: "موافقة" }).click();
  await page.getByRole("heading", { name: "تم ربط Sandbox." }).waitFor();
  await shot(page, "37-linked-ar");

  const consents = await server.api("GET", `/companies/${company.id}/consents`);
  assert.equal(consents.results[0].locale, "ar-EG");
  assert.equal(consents.results[0].shownTexts.accounting.access, "نقرأ بياناتك المحاسبية؛ ولا نغيّرها أبدًا.");
  assert.deepEqual(violations, []);
  await context.close();
});
