// The hosted journey: the page served at a company's `redirect` URL. It
// reads its company and token from the page's meta tags and runs the whole
// journey on the public API; providers are reached by leaving the page and
// coming back to it.

import "./style.css";

import { render } from "preact";

import { Api, Connection, openInvitation, openLink } from "./api";
import { Failure, Host, JourneyApp } from "./journey";
import { carried } from "./query";
import { outcomeOf, type Outcome } from "./screens/result";

function meta(name: string): string {
  return document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? "";
}

/** How the OAuth hand-off came back, from the page's query string. */
function returned(query: URLSearchParams): Outcome | undefined {
  const statusCode = query.get("statusCode");
  return statusCode === null ? undefined : outcomeOf(statusCode, query.get("statusText"));
}

/** A connection's Link URL with the custom values this journey carries, and `extra` over them. */
function linkUrl(connection: Connection, extra: Record<string, string>): string {
  const url = new URL(connection.linkUrl, location.href);
  const values = new URLSearchParams(carried(new URLSearchParams(location.search)));
  for (const [name, value] of [...values, ...Object.entries(extra)]) url.searchParams.set(name, value);
  return url.toString();
}

/**
 * Sends the customer to a connection's Link URL, asking to come back to this
 * journey, with the journey's own custom values and locale.
 */
function toProvider(connection: Connection, locale: string): Promise<never> {
  location.assign(linkUrl(connection, { linkReturn: "hosted", locale }));
  return new Promise(() => {});
}

/**
 * The consent step's way on: to the connection's Link URL with the custom
 * values it was opened with, which goes to the provider now that consent is
 * recorded, or, declined, sends the customer back to the client as before.
 */
function onToLinkUrl(connection: Connection, declined: boolean) {
  location.assign(linkUrl(connection, declined ? { linkConsent: "declined" } : {}));
}

/** The end: the server fills the client's redirect URL with the custom values carried. */
function finish(companyId: string) {
  const query = new URLSearchParams(carried(new URLSearchParams(location.search)));
  query.delete("locale");
  const rest = query.toString();
  location.assign(`/link/company/${encodeURIComponent(companyId)}/finish${rest ? `?${rest}` : ""}`);
}

async function start(root: HTMLElement) {
  const query = new URLSearchParams(location.search);
  const companyId = meta("link-api-company");
  let token = meta("link-api-token");
  let access = meta("link-api-access");
  const link = query.get("link");
  if (!token && link) {
    // A signed link not opened yet: opening it is this page's own step, not the address's.
    try {
      token = await openLink(companyId, link);
      access = "customer";
    } catch (error) {
      render(<Failure error={error} />, root);
      return;
    }
  }
  let api = new Api(token, companyId);
  // An invitation's token is used for the whole visit: a reload, or the way
  // back from a provider, finds it in this tab's storage, not in the address.
  const kept = `link-api-invitation:${companyId}`;
  const invitation = query.get("invitation") ?? sessionStorage.getItem(kept);
  let invited: Host["invitation"];
  if (invitation) {
    // A share URL: the journey goes on with the invitation's own, narrower token.
    try {
      const access = await openInvitation(invitation);
      api = new Api(access.accessToken, access.companyId);
      invited = access;
      sessionStorage.setItem(kept, invitation);
    } catch (error) {
      sessionStorage.removeItem(kept);
      render(<Failure error={error} />, root);
      return;
    }
  }
  const ticket = query.get("linkConsent");
  const consentStep = ticket ? { connectionId: ticket.split(".")[0], proceed: onToLinkUrl } : undefined;
  const outcome = returned(query);
  const connectionId = query.get("connectionId");
  // The address keeps only what the journey carries on: no used-up token, no old outcome,
  // but the consent step's ticket, so that a reload opens the step again.
  // The history entry keeps the screen it holds, so that a reload stays there.
  const address = new URLSearchParams(carried(query));
  if (ticket) address.set("linkConsent", ticket);
  const search = address.toString();
  history.replaceState(history.state, "", location.pathname + (search ? `?${search}` : ""));
  const host: Host = {
    root: document.documentElement,
    authorize: toProvider,
    finish: () => finish(api.companyId),
    returned: outcome && connectionId ? { outcome, connectionId } : undefined,
    invitation: invited,
    consentStep,
    proven: invitation !== null || access === "customer",
    // The consent step has its own way out (Not now), back to the client.
    canLeave: !consentStep,
    history: true,
    emit: () => {},
  };
  render(<JourneyApp api={api} host={host} />, root);
}

const root = document.getElementById("journey");
if (root) start(root).catch((error) => render(<Failure error={error} />, root));
