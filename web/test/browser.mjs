// What the browser tests share: Debian's Chromium, pages that record what
// they request and every CSP violation, and screenshots checked by axe-core.

import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";

import { chromium } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const SHOTS = new URL("../../target/web-screenshots/", import.meta.url).pathname;
const AXE = readFileSync(new URL("../node_modules/axe-core/axe.min.js", import.meta.url), "utf8");

/**
 * The screens each failure is tried on: a phone (touch, 390 px) and a
 * desktop. A desktop's screenshots carry `-desktop` in their name.
 */
export const DEVICES = [
  { device: "phone", suffix: "", options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
  { device: "desktop", suffix: "-desktop", options: { viewport: { width: 1280, height: 800 } } },
];

export async function launch() {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}

/**
 * A new context's page that records requests to origins outside `allowed`
 * (in `foreign`) and the CSP violations the browser reports (in `violations`).
 */
export async function watchedPage(browser, allowed, options = {}) {
  const context = await browser.newContext({ viewport: { width: 420, height: 860 }, ...options });
  const page = await context.newPage();
  const foreign = [];
  const violations = [];
  const watch = (watched) => {
    watched.on("request", (request) => {
      if (!allowed.includes(new URL(request.url()).origin)) foreign.push(request.url());
    });
    watched.on("console", (message) => {
      if (message.text().includes("Content Security Policy")) violations.push(message.text());
    });
  };
  watch(page);
  context.on("page", watch);
  return { page, foreign, violations, context };
}

/**
 * Photographs the screen, and has axe-core check it against WCAG 2.2 A and
 * AA (evaluated through the browser's debugging protocol, which the page's
 * policy does not govern, so no inline script is ever allowed for it). A
 * dialog is photographed as the viewport shows it, its backdrop included.
 */
export async function shot(page, name, { fullPage = true } = {}) {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage });
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  assert.deepEqual(found, [], `axe on ${name}`);
}
