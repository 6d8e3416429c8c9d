// The client's colours, from the link settings. They are set through the
// style sheet's custom properties (CSSOM, which the page's policy allows),
// with the text on them black or white, whichever has the higher contrast.

import type { HostedJourney } from "./api";

/** The relative luminance of `#RRGGBB` (WCAG 2). */
function luminance(colour: string): number {
  const channel = (i: number) => {
    const c = parseInt(colour.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/**
 * The text on `colour`: white wherever it meets WCAG AA (4.5:1), as brand
 * buttons are usually read; black only where white does not and black
 * reads better.
 */
export function textOn(colour: string): string {
  const l = luminance(colour);
  const onWhite = 1.05 / (l + 0.05);
  return onWhite >= 4.5 || onWhite >= (l + 0.05) / 0.05 ? "#ffffff" : "#000000";
}

/** The contrast ratio of two colours (WCAG 2). */
function contrast(a: string, b: string): number {
  const [light, darker] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (darker + 0.05);
}

/** The surfaces text in the colour sits on in each scheme, as the style sheet has them: the page and its cards. */
const SURFACES = { light: ["#ffffff", "#f6f8fa"], dark: ["#0d1117", "#161b22"] };

/** Sets the client's colour on `root`, the element the journey lives in. */
export function applyTheme(root: HTMLElement, settings: HostedJourney) {
  const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
  const colour = dark ? settings.primaryColourDark : settings.primaryColour;
  if (!colour || !/^#[0-9a-f]{6}$/i.test(colour)) return;
  const style = root.style;
  style.setProperty("--primary", colour);
  style.setProperty("--on-primary", textOn(colour));
  // Text in the colour itself (links, outlined buttons, badges on cards) only where it reads on every surface (4.5:1).
  const readable = (dark ? SURFACES.dark : SURFACES.light).every((surface) => contrast(colour, surface) >= 4.5);
  style.setProperty("--link", readable ? colour : "var(--text)");
}
