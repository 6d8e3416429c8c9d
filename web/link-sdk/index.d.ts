// The types of Link API's embeddable journey (`/link/sdk.js`). This file is
// the one description of the component's public shape: its sources import
// their types from here, so the two cannot drift apart.

/** A category of data the journey asks for. */
export type Category = "accounting" | "banking" | "commerce";

/** A connection as the callbacks give it (the fields of Codat's Embedded Link). */
export interface ConnectionEvent {
  connectionId: string;
  integrationId: string;
  integrationKey: string;
  platformName: string;
  sourceId: string;
  sourceType: string;
}

/** The stable names of what happens in a journey, as `onEvent` gives them. */
export type EventName =
  | "opened"
  | "category_selected"
  | "consent_recorded"
  | "integration_selected"
  | "authorization_started"
  | "connected"
  | "failed"
  | "invitation_sent"
  | "disconnected"
  | "reconnected"
  | "closed"
  | "finished";

/** What the application hears when something goes wrong. */
export interface LinkError {
  /** The correlation id of the API call behind it, as in the service's logs. */
  correlationId?: string;
  message: string;
  /**
   * A number, as Codat's: the HTTP status of the API answer behind it, or for the reasons that
   * have none the status that says it best (`OriginNotAllowed` and an authorization `cancelled`
   * or refused for `consentMissing` 403, `NetworkError` 503, an authorization that `failed` 502).
   */
  errorCode?: number;
  /** What it was, by name: `ApiError`, `OriginNotAllowed`, `NetworkError`, `cancelled`, `failed` or `consentMissing`. */
  reason?: string;
  /** Whether the customer can go on (try again, choose another platform). */
  userRecoverable: boolean;
}

/** A category's options for one mount. */
export interface SourceTypeOptions {
  /** Whether the customer may finish without it. */
  optional?: boolean;
  /** The platform keys offered, in the catalogue's order. */
  allowedIntegrations?: string[];
  /** The data types shown on the category's consent screen (recorded with the consent). */
  dataTypes?: string[];
}

/** Options of one mount: they change the link settings for it alone and are never stored. */
export interface LinkOptions {
  /** Inline in the target, without a border. */
  hideBorder?: boolean;
  /** Inline in the target instead of a modal dialog. */
  nonModal?: boolean;
  /** Overrides the link settings' `hostedJourney.showLandingPage`. */
  showLandingPage?: boolean;
  /** Overrides the link settings' `hostedJourney.showSandbox`. */
  showSandboxIntegrations?: boolean;
  /** `#RRGGBB` for buttons and links. */
  theme?: { colors?: { primary?: string } };
  /** Given, only these categories are shown (each with its options; `{}` for none). */
  sourceTypes?: Partial<Record<Category, SourceTypeOptions>>;
  /**
   * Texts in the chosen locale: the page's by name (`landingTitle`, `categoriesTitle`, `start`,
   * `finish`, `exitConfirmation` …), and a category's consent texts as `category.section`
   * (`accounting.purpose`, `banking.retention`; sections `purpose`, `access`,
   * `accountInformation`, `platformData`, `retention`). The consent record keeps the texts shown.
   * Codat's keys work too: `companyName` (the client's name shown), `landing.title`,
   * `landing.subtitle`, `landing.nextButton`, `main.title`, `main.subtitle`,
   * `{category}.consents.title|subtitle|purpose|access|accountInformation|retention|nextButton|termsAndConditions`
   * and the older `{category}.dataAccess.consent` (the section on access).
   */
  text?: Record<string, string>;
  /** The locale to speak (`fr`, `de-AT` …); the browser's languages otherwise. */
  locale?: string;
  /** A nonce for the style element, only used by browsers without constructable style sheets. */
  nonce?: string;
  /**
   * Where providers' sign-in opens: a popup over this page (the default), or this page itself
   * (`"page"`), for in-app webviews where popups fail. With `"page"`, the provider's answer comes
   * back to this page's address with `linkCompanyId`, `linkConnectionId`, `linkStatusCode` and
   * `linkStatusText` in its query; mount the component again for the company there and it
   * resumes on the outcome (the parameters are then removed). The page's origin must be one of
   * your CORS origins, and its address at most 500 characters.
   */
  authorizeIn?: "popup" | "page";
}

export interface LinkProps {
  /** The company whose journey it is. */
  companyId: string;
  /**
   * The company token your back end got from `GET /companies/{companyId}/accessToken`.
   * Without it the component asks Link API for the company's journey token, as the hosted page
   * has one (refused when the client requires signed links).
   */
  accessToken?: string;
  /** Link API's address, when this module is not loaded from it (a vendored copy); its origin otherwise. */
  serviceUrl?: string;
  /** A platform was picked and its connection made, before the customer authorizes. */
  onConnectionStarted?(connection: ConnectionEvent): void;
  /** A connection is linked. */
  onConnection?(connection: ConnectionEvent): void;
  /**
   * A consent was recorded. `text` is what the customer agreed to, as Codat's is, one string (the
   * sections in order, a blank line apart); `texts` holds each section by name.
   */
  onConsent?(consent: { text: string; texts: Record<string, string>; category: Category; consentId: string }): void;
  /** The customer finished; the journey is removed. */
  onFinish?(): void;
  /** The customer closed the journey (after confirming); without it there is no close button. */
  onClose?(): void;
  onError?(error: LinkError): void;
  /** Every step, by a stable name, with the correlation id of the API call behind it. */
  onEvent?(name: EventName, metadata: Record<string, unknown>): void;
  options?: LinkOptions;
}

export interface LinkHandle {
  /** Resolves once the journey has loaded and is on screen. */
  ready: Promise<void>;
  /** Closes the journey as the customer would (calls `onClose`). */
  close(): void;
  /** Removes the journey without a callback. */
  destroy(): void;
}

/**
 * Mounts the journey into `target`: a modal dialog by default, inline with
 * `options.nonModal` (or `hideBorder`). A page holds one journey: mounting
 * again ends the one before.
 */
export declare function mountLink(target: HTMLElement, props: LinkProps): LinkHandle;

/** The class form of Codat's Embedded Link: `new CodatLink({ target, props })`. */
export declare class CodatLink {
  constructor(init: { target: HTMLElement; props: LinkProps });
  readonly ready: Promise<void>;
  close(): void;
  destroy(): void;
  /** Svelte-style teardown, as Codat's component has it. */
  $destroy(): void;
}

/** Codat's function form of the same mount (`@codat/sdk-link-types`): `initializeCodatLink(target, props)`. */
export declare function initializeCodatLink(target: HTMLElement, props: LinkProps): LinkHandle;

/** The props of the connections component, as Codat's `CodatConnections` takes them. */
export interface ConnectionsProps {
  /** The company token your back end got from `GET /companies/{companyId}/accessToken`; it names the company. */
  accessToken: string;
  /** Link API's address, when this module is not loaded from it; its origin otherwise. */
  serviceUrl?: string;
  /** The customer disconnected a connection (its stored access is destroyed). */
  onDisconnect?(connection: ConnectionEvent): void;
  /**
   * The customer reconnected a platform they had disconnected (or whose access ended): a new
   * connection of it, linked. Offered for OAuth platforms whose category is consented.
   */
  onReconnect?(connection: ConnectionEvent): void;
  /** The customer closed it; it is called first, then the component is removed. Without it there is no close button. */
  onClose?(): void;
  onError?(error: LinkError): void;
  options?: Pick<LinkOptions, "locale" | "nonModal" | "hideBorder" | "theme" | "nonce">;
}

/**
 * What the customer has shared with the client, as a component: each connection (to
 * disconnect) and each consent with its texts and receipt (to withdraw). A modal dialog by
 * default, inline with `options.nonModal`.
 */
export declare function initCodatConnections(target: HTMLElement, props: ConnectionsProps): LinkHandle;

/** The class form, as Codat's: `new CodatConnections({ target, props })`. */
export declare class CodatConnections {
  constructor(init: { target: HTMLElement; props: ConnectionsProps });
  readonly ready: Promise<void>;
  close(): void;
  destroy(): void;
  $destroy(): void;
}
