// Embedded Link: the customer's journey as a component a client's web app
// mounts, served by Link API itself (`/link/sdk.js`). It renders the same
// journey as the hosted page into a shadow root, calls the API on Link API's
// origin with the company token, opens providers in a popup, and tells the
// application what happens through callbacks shaped like Codat's Embedded
// Link's, plus one `onEvent` stream.

import { render } from "preact";

import css from "./style.css";
import type * as Published from "../link-sdk/index";
import type { Category, ConnectionEvent, ConnectionsProps, EventName, LinkError, LinkHandle, LinkOptions, LinkProps, SourceTypeOptions } from "../link-sdk/index";
import { Api, ApiError, errorBody, Connection, ConsentScreenTexts, ConsentTexts, LinkSettings } from "./api";
import { Host, JourneyApp, PopupBlocked, type ProviderWindow } from "./journey";

export type { Category, ConnectionEvent, ConnectionsProps, EventName, LinkError, LinkHandle, LinkOptions, LinkProps, SourceTypeOptions };
import { outcomeOf, type Outcome } from "./screens/result";

/** Where this module was served from: the API it talks to, unless a mount names another. */
const SERVED_FROM = new URL(import.meta.url).origin;

/** The mount on the page, if any: a second mount ends it first. */
let mounted: LinkHandle | undefined;

/** Codat's Embedded Link text keys, by the names this journey gives the same texts. */
const CODAT_TEXTS: Record<string, string> = {
  "landing.title": "landingTitle",
  "landing.subtitle": "landingBody",
  "landing.nextButton": "start",
  "main.title": "categoriesTitle",
  "main.subtitle": "categoriesBody",
};

/** The parts of a category's consent screen Codat's keys name, beside its five texts. */
const SCREEN_TEXTS: (keyof ConsentScreenTexts)[] = ["title", "subtitle", "nextButton", "termsAndConditions"];

/**
 * A mount's `text` option split in three: the page's texts by name, the
 * consent texts as `category.section`, and the rest of each category's
 * consent screen. Codat's keys are read as the texts they name
 * (`{category}.consents.{section}`, and the older `{category}.dataAccess.consent`
 * for the section on access).
 */
function textOptions(text: Record<string, string> = {}): {
  page: Record<string, string>;
  consent: Record<string, string>;
  screens: Partial<Record<Category, ConsentScreenTexts>>;
} {
  const page: Record<string, string> = {};
  const consent: Record<string, string> = {};
  const screens: Partial<Record<Category, ConsentScreenTexts>> = {};
  for (const [key, value] of Object.entries(text)) {
    if (typeof value !== "string") continue;
    const codat = /^(accounting|banking|commerce)\.consents\.(\w+)$/.exec(key);
    if (codat && SCREEN_TEXTS.includes(codat[2] as keyof ConsentScreenTexts)) {
      const category = codat[1] as Category;
      screens[category] = { ...screens[category], [codat[2]]: value };
      continue;
    }
    const name = CODAT_TEXTS[key] ?? key.replace(/^(\w+)\.dataAccess\.consent$/, "$1.access").replace(/^(\w+)\.consents\./, "$1.");
    if (name.includes(".")) consent[name] = value;
    else page[name] = value;
  }
  return { page, consent, screens };
}

/** The settings of one mount: the stored ones with the options over them. */
function adjusted(settings: LinkSettings, options: LinkOptions): LinkSettings {
  const hosted = { ...settings.hostedJourney };
  if (options.showLandingPage !== undefined) hosted.showLandingPage = options.showLandingPage;
  if (options.showSandboxIntegrations !== undefined) hosted.showSandbox = options.showSandboxIntegrations;
  const primary = options.theme?.colors?.primary;
  if (primary && /^#[0-9a-f]{6}$/i.test(primary)) {
    hosted.primaryColour = primary;
    hosted.primaryColourDark = primary;
  }
  const texts = textOptions(options.text);
  if (Object.keys(texts.page).length > 0) {
    const locale = options.locale ?? "en";
    hosted.texts = { ...hosted.texts, [locale]: { ...hosted.texts?.[locale], ...texts.page } };
  }
  // Given source types are the only ones shown, as with Codat's component.
  const shown = options.sourceTypes ? (Object.keys(options.sourceTypes) as Category[]) : undefined;
  const categories = { ...settings.categories };
  for (const name of Object.keys(categories) as Category[]) {
    if (shown && !shown.includes(name)) {
      delete categories[name];
      continue;
    }
    const chosen: SourceTypeOptions = options.sourceTypes?.[name] ?? {};
    const stored = categories[name];
    const consentTexts = { ...stored.consentTexts };
    let reworded = false;
    for (const section of Object.keys(consentTexts) as (keyof ConsentTexts)[]) {
      const text = texts.consent[`${name}.${section}`];
      if (text !== undefined) {
        consentTexts[section] = text;
        reworded = true;
      }
    }
    categories[name] = {
      ...stored,
      // The mount's own consent words are the ones shown, in the mount's locale.
      localizedConsentTexts: reworded ? undefined : stored.localizedConsentTexts,
      screen: texts.screens[name],
      required: chosen.optional === undefined ? stored.required : !chosen.optional,
      integrations: chosen.allowedIntegrations ?? stored.integrations,
      dataTypes: chosen.dataTypes ?? stored.dataTypes,
      consentTexts,
    };
  }
  return { ...settings, hostedJourney: hosted, categories };
}

/** Calls an application's callback without letting its failure stop the journey. */
function tell<A extends unknown[]>(callback: ((...args: A) => void) | undefined, ...args: A) {
  try {
    callback?.(...args);
  } catch (error) {
    console.error("Link API: a callback failed", error);
  }
}

/** Whether the service answers at all (a request that needs no CORS): when it does, a refused call is the page's origin. */
async function reachable(service: string): Promise<boolean> {
  try {
    await fetch(`${service}/healthz`, { mode: "no-cors", credentials: "omit" });
    return true;
  } catch {
    return false;
  }
}

/**
 * The number Codat's `errorCode` is, for what has no HTTP status of its own:
 * the status that says it best.
 */
const REASON_CODES: Record<string, number> = {
  OriginNotAllowed: 403,
  NetworkError: 503,
  cancelled: 403,
  consentMissing: 403,
  failed: 502,
};

/** An error as the application hears it. */
async function described(service: string, error: unknown, correlationId?: string): Promise<LinkError> {
  if (error instanceof ApiError) {
    const body = error.body;
    return {
      correlationId: body.correlationId ?? correlationId,
      message: body.error,
      errorCode: body.statusCode,
      reason: "ApiError",
      userRecoverable: body.statusCode < 500,
    };
  }
  if (error instanceof TypeError && (await reachable(service))) {
    return {
      message: `Link API at ${service} does not accept calls from ${location.origin}: add this origin to the client's CORS settings (POST /corsSettings).`,
      errorCode: REASON_CODES.OriginNotAllowed,
      reason: "OriginNotAllowed",
      userRecoverable: false,
    };
  }
  return {
    message: String(error instanceof Error ? error.message : error),
    errorCode: REASON_CODES.NetworkError,
    reason: "NetworkError",
    userRecoverable: true,
  };
}

/** The company's journey token, for an app that gives only the company id. */
async function journeyToken(service: string, companyId: string): Promise<string> {
  const response = await fetch(`${service}/link/company/${encodeURIComponent(companyId)}/token`, { method: "POST", credentials: "omit" });
  const text = await response.text();
  if (!response.ok) throw new ApiError(errorBody(response, text));
  const body = JSON.parse(text);
  return body.accessToken;
}

/** How a provider's popup reports back: the message the callback page posts to its opener. */
interface PopupReport {
  type: "link-api:authorization";
  connectionId: string;
  statusCode: string;
  statusText: string;
}

/**
 * Opens a connection's provider in a popup and waits for the callback page
 * to report back (only a message from the service's origin and that popup
 * counts). A popup closed before it reports is a cancellation, unless the
 * connection is linked by then.
 */
function inPopup(api: Api, service: string, connection: Connection, locale: string, opened?: (window: ProviderWindow) => void): Promise<Outcome> {
  const url = new URL(connection.linkUrl, service);
  url.searchParams.set("linkReturn", "popup");
  url.searchParams.set("linkOrigin", location.origin);
  url.searchParams.set("locale", locale);
  const width = 520;
  const height = 720;
  const left = Math.max(0, window.screenX + (window.outerWidth - width) / 2);
  const top = Math.max(0, window.screenY + (window.outerHeight - height) / 2);
  const popup = window.open(url.toString(), "link-api-authorization", `popup,width=${width},height=${height},left=${left},top=${top}`);
  if (!popup) return Promise.reject(new PopupBlocked());
  opened?.({ focus: () => popup.focus(), cancel: () => popup.close() });
  return new Promise((resolve) => {
    const done = (outcome: Outcome) => {
      window.removeEventListener("message", listen);
      window.clearInterval(watch);
      resolve(outcome);
    };
    const listen = (event: MessageEvent) => {
      const report = event.data as PopupReport;
      if (event.origin !== service || event.source !== popup || report?.type !== "link-api:authorization") return;
      if (report.connectionId !== connection.id) return;
      done(outcomeOf(report.statusCode, report.statusText));
    };
    window.addEventListener("message", listen);
    const watch = window.setInterval(() => {
      if (!popup.closed) return;
      window.clearInterval(watch);
      // Closed without a word: its report may have been on its way, so the connection itself says how it ended.
      api.connection(connection.id).then(
        (now) => done(now.status === "Linked" ? "linked" : "cancelled"),
        () => done("cancelled"),
      );
    }, 500);
  });
}

/** The query parameters a provider's return to the page (`authorizeIn: "page"`) carries. */
const RETURN_PARAMS = ["linkCompanyId", "linkConnectionId", "linkStatusCode", "linkStatusText"];

/**
 * Sends this page to a connection's provider (for in-app webviews, where
 * popups fail): the provider's answer comes back to this address, where the
 * next mount for the company resumes on it.
 */
function inPage(service: string, connection: Connection, locale: string): Promise<never> {
  const url = new URL(connection.linkUrl, service);
  url.searchParams.set("linkReturn", "page");
  url.searchParams.set("linkOrigin", location.origin);
  url.searchParams.set("linkBack", withoutReturn(location.href));
  url.searchParams.set("locale", locale);
  location.assign(url.toString());
  return new Promise(() => {});
}

/** `href` without the parameters of a provider's return. */
function withoutReturn(href: string): string {
  const url = new URL(href);
  for (const name of RETURN_PARAMS) url.searchParams.delete(name);
  return url.toString();
}

/**
 * How a provider's return to this page ended, for `companyId`'s journey;
 * the page's address loses the return's parameters once read.
 */
function returnedHere(companyId: string): Host["returned"] {
  const query = new URLSearchParams(location.search);
  const connectionId = query.get("linkConnectionId");
  if (!connectionId || query.get("linkCompanyId") !== companyId) return undefined;
  history.replaceState(history.state, "", withoutReturn(location.href));
  return { outcome: outcomeOf(query.get("linkStatusCode"), query.get("linkStatusText")), connectionId };
}

/** What one mount of the component is: its company, token, options, and how the application hears it. */
interface Mount {
  companyId: string;
  accessToken?: string;
  serviceUrl?: string;
  options: LinkOptions;
  /** The connections component rather than the journey. */
  connectionsOnly: boolean;
  /** Called when the customer closes it (then it is removed); without it there is no close button. */
  onClose?: () => void;
  onError?: (error: LinkError) => void;
  /** Hears every step; the mount itself then reports `failed` through `onError` and `closed` through `onClose`. */
  hear(name: EventName, detail: Record<string, unknown>, correlationId?: string): void;
}

/**
 * Mounts the journey (or the connections component) into `target`: a modal
 * dialog by default, inline with `options.nonModal` (or `hideBorder`). A page
 * holds one: mounting again ends the one before.
 */
function mount(target: HTMLElement, spec: Mount): LinkHandle {
  mounted?.destroy();
  const options = spec.options;
  const inline = options.nonModal === true || options.hideBorder === true;
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const holder = document.createElement("div");
  holder.dataset.linkApi = inline ? "inline" : "modal";
  target.appendChild(holder);
  const shadow = holder.attachShadow({ mode: "open" });
  if ("adoptedStyleSheets" in Document.prototype && "replaceSync" in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    shadow.adoptedStyleSheets = [sheet];
  } else {
    const style = document.createElement("style");
    if (options.nonce) style.nonce = options.nonce;
    style.textContent = css;
    shadow.appendChild(style);
  }
  const root = document.createElement("div");
  root.className = ["link-root", inline ? "inline" : "", inline && !options.hideBorder ? "" : "borderless"].filter(Boolean).join(" ");
  shadow.appendChild(root);

  const service = spec.serviceUrl ? new URL(spec.serviceUrl).origin : SERVED_FROM;
  const api = new Api(spec.accessToken ?? "", spec.companyId, service);
  let opened: () => void = () => {};
  const ready = new Promise<void>((resolve) => (opened = resolve));
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    render(null, root);
    holder.remove();
    if (mounted === handle) mounted = undefined;
    if (opener?.isConnected) opener.focus();
  };
  const emit = (name: EventName, detail: Record<string, unknown> = {}) => {
    if (name === "opened") opened();
    spec.hear(name, detail, api.correlationId);
    if (name === "closed") {
      tell(spec.onClose);
    } else if (name === "failed") {
      // An error of the API or the network, or an authorization that did not link.
      const heard =
        detail.error !== undefined
          ? described(service, detail.error, api.correlationId)
          : Promise.resolve({
              correlationId: api.correlationId,
              message: String(detail.message),
              errorCode: REASON_CODES[String(detail.outcome)] ?? 500,
              reason: String(detail.outcome),
              userRecoverable: true,
            });
      void heard.then((error) => tell(spec.onError, error));
    }
  };
  const host: Host = {
    root,
    modal: !inline,
    locale: options.locale,
    adjust: (settings) => adjusted(settings, options),
    // A token from the client's back end proves the customer; one got with the company id alone does not.
    proven: Boolean(spec.accessToken),
    connectionsOnly: spec.connectionsOnly,
    clientName: textOptions(options.text).page.companyName,
    authorize: (connection, locale, opened) =>
      options.authorizeIn === "page" ? inPage(service, connection, locale) : inPopup(api, service, connection, locale, opened),
    returned: returnedHere(spec.companyId),
    finish: end,
    // The application hears first, then the component goes: Codat's apps remove it in onClose themselves.
    close: spec.onClose
      ? () => {
          emit("closed");
          end();
        }
      : undefined,
    emit,
  };
  const handle: LinkHandle = {
    ready,
    close: () => host.close?.() ?? end(),
    destroy: end,
  };
  mounted = handle;
  if (spec.accessToken) {
    render(<JourneyApp api={api} host={host} />, root);
  } else {
    journeyToken(service, spec.companyId)
      .then((token) => {
        if (ended) return;
        api.token = token;
        render(<JourneyApp api={api} host={host} />, root);
      })
      .catch((error) => {
        emit("failed", { error });
        end();
      });
  }
  return handle;
}

/**
 * Mounts the journey into `target`: a modal dialog by default, inline with
 * `options.nonModal` (or `hideBorder`). A page holds one journey: mounting
 * again ends the one before.
 */
export function mountLink(target: HTMLElement, props: LinkProps): LinkHandle {
  return mount(target, {
    companyId: props.companyId,
    accessToken: props.accessToken,
    serviceUrl: props.serviceUrl,
    options: props.options ?? {},
    connectionsOnly: false,
    onClose: props.onClose,
    onError: props.onError,
    hear: (name, detail, correlationId) => {
      tell(props.onEvent, name, { ...detail, correlationId });
      switch (name) {
        case "authorization_started":
          tell(props.onConnectionStarted, detail.connection as ConnectionEvent);
          break;
        case "connected":
          tell(props.onConnection, detail.connection as ConnectionEvent);
          break;
        case "consent_recorded": {
          // Codat's `text` is one string: the texts as shown, in order, a blank line apart.
          const texts = detail.text as Record<string, string>;
          tell(props.onConsent, { text: Object.values(texts).join("\n\n"), texts, category: detail.category as Category, consentId: detail.consentId as string });
          break;
        }
        case "finished":
          tell(props.onFinish);
          break;
        default:
          break;
      }
    },
  });
}

/** Codat's function form of the same mount (`@codat/sdk-link-types`). */
export function initializeCodatLink(target: HTMLElement, props: LinkProps): LinkHandle {
  return mountLink(target, props);
}

/** The company a company token names (its `sub`), read without checking it: the server does. */
function companyOf(accessToken: string): string {
  try {
    const payload = accessToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return String(JSON.parse(atob(payload)).sub ?? "");
  } catch {
    return "";
  }
}

/**
 * What the customer has shared, as a component (Codat's `CodatConnections`):
 * the connections to disconnect and the consents to read and withdraw.
 */
export function initCodatConnections(target: HTMLElement, props: ConnectionsProps): LinkHandle {
  return mount(target, {
    companyId: companyOf(props.accessToken),
    accessToken: props.accessToken,
    serviceUrl: props.serviceUrl,
    options: props.options ?? {},
    connectionsOnly: true,
    onClose: props.onClose,
    onError: props.onError,
    hear: (name, detail) => {
      if (name === "disconnected") tell(props.onDisconnect, detail.connection as ConnectionEvent);
      if (name === "reconnected") tell(props.onReconnect, detail.connection as ConnectionEvent);
    },
  });
}

/** A mount in the class form of Codat's components. */
class Mounted {
  readonly ready: Promise<void>;

  constructor(private handle: LinkHandle) {
    this.ready = handle.ready;
  }

  close() {
    this.handle.close();
  }

  destroy() {
    this.handle.destroy();
  }

  /** Svelte-style teardown, as Codat's components have it. */
  $destroy() {
    this.handle.destroy();
  }
}

/** The class form of Codat's Embedded Link: `new CodatLink({ target, props })`. */
export class CodatLink extends Mounted {
  constructor({ target, props }: { target: HTMLElement; props: LinkProps }) {
    super(mountLink(target, props));
  }
}

/** The class form of Codat's connections component: `new CodatConnections({ target, props })`. */
export class CodatConnections extends Mounted {
  constructor({ target, props }: { target: HTMLElement; props: ConnectionsProps }) {
    super(initCodatConnections(target, props));
  }
}

/** Holds only when `Actual` can stand for `Declared`. */
type Conforms<Actual extends Declared, Declared> = Actual;

/** The published types (link-sdk/index.d.ts) describe this module: type-checking fails when they part. */
export type PublishedShape = Conforms<
  {
    mountLink: typeof mountLink;
    initializeCodatLink: typeof initializeCodatLink;
    CodatLink: typeof CodatLink;
    initCodatConnections: typeof initCodatConnections;
    CodatConnections: typeof CodatConnections;
  },
  {
    mountLink: typeof Published.mountLink;
    initializeCodatLink: typeof Published.initializeCodatLink;
    CodatLink: typeof Published.CodatLink;
    initCodatConnections: typeof Published.initCodatConnections;
    CodatConnections: typeof Published.CodatConnections;
  }
>;
