// The public Link API, called with the company token the page was given:
// the same endpoints a client's own journey UI uses, nothing private.

import type { Category, ConnectionEvent } from "../link-sdk/index";

export type { Category };
export const CATEGORIES: Category[] = ["accounting", "banking", "commerce"];

export interface Connection {
  id: string;
  integrationKey: string;
  platformName: string;
  sourceType: string;
  status: "PendingAuth" | "Linked" | "Unlinked" | "Deauthorized";
  linkUrl: string;
  integrationId: string;
  sourceId: string;
}

export interface CategoryStatus {
  category: Category;
  required: boolean;
  consented: boolean;
  linked: boolean;
  satisfied: boolean;
  connections: Connection[];
}

/** A company's reminders, as `GET …/reminders` and `linkStatus` show them. */
export interface Reminders {
  enabled: boolean;
  /** Where Link API emails them. */
  email?: string;
  nextDueDate?: string;
}

export interface LinkStatus {
  companyId: string;
  /** Given to a caller that proves it is the customer's. */
  companyName?: string;
  reminders?: Reminders;
  settingsVersion: number;
  consentRequired: boolean;
  complete: boolean;
  missing: Category[];
  categories: CategoryStatus[];
}

export interface ConsentTexts {
  purpose: string;
  access: string;
  accountInformation: string;
  platformData: string;
  retention: string;
}

/** A mount's own words for a category's consent screen beside its five texts (Codat's `{category}.consents.*` keys). */
export interface ConsentScreenTexts {
  title?: string;
  subtitle?: string;
  nextButton?: string;
  termsAndConditions?: string;
}

export interface CategorySettings {
  required: boolean;
  integrations?: string[];
  dataTypes: string[];
  consentTexts: ConsentTexts;
  /** The consent texts in other languages, by locale. */
  localizedConsentTexts?: Record<string, ConsentTexts>;
  /** Only in a mount's settings: its own words for the consent screen. */
  screen?: ConsentScreenTexts;
}

export interface HostedJourney {
  showLandingPage: boolean;
  showSandbox: boolean;
  showSecuredBy: boolean;
  primaryColour?: string;
  primaryColourDark?: string;
  helpUrl?: string;
  defaultLocale?: string;
  texts?: Record<string, Record<string, string>>;
}

export interface LinkSettings {
  version: number;
  consentRequired: boolean;
  termsUrl?: string;
  categories: Record<Category, CategorySettings>;
  hostedJourney: HostedJourney;
  /** The reminder policy: whether companies are reminded, and whether Link API emails them. */
  reminders?: { enabled: boolean; sendEmails: boolean };
}

export interface CredentialField {
  name: string;
  label: string;
  type: string;
  secret: boolean;
  required: boolean;
  pattern?: string;
}

export interface Integration {
  key: string;
  name: string;
  logoUrl: string;
  enabled: boolean;
  /** Whether a customer can connect it now (enabled, not import-only, with an OAuth application where it needs one). */
  readyForCustomers: boolean;
  /** Whether typed credentials are checked by the client's verifier before they link. */
  credentialsChecked: boolean;
  /** Where customers download its desktop connector, when the client set one. */
  desktopConnectorUrl?: string;
  /** Other names customers search it by. */
  aliases?: string[];
  /** How widely it is used: higher first. */
  popularity?: number;
  sourceType: string;
  authMethod: "OAuth2" | "Credentials" | "DesktopConnector";
  credentialFields?: CredentialField[];
  deviceSupport: { desktopOnly: boolean; needsDesktopPackage: boolean; mobileOptimized: boolean };
}

export interface Profile {
  name: string;
  logoUrl?: string;
  iconUrl?: string;
}

export interface ConsentRecord {
  id: string;
  sequence: number;
  kind: "Granted" | "Withdrawn";
  categories: Category[];
  dataTypes: string[];
  settingsVersion: number;
  textHash: string;
  /** The texts shown in place of the settings version's (a mount's options), by category. */
  shownTexts?: Partial<Record<Category, ConsentTexts>>;
  locale?: string;
  withdraws?: string;
  created: string;
  hash: string;
}

export interface ConnectionSummary {
  id: string;
  integrationKey: string;
  platformName: string;
  sourceType: string;
  status: Connection["status"];
  created: string;
}

export interface Invitation {
  id: string;
  categories: Category[];
  shareUrl: string;
  mailtoUrl: string;
  recipientEmail?: string;
  /** Present when Link API emails the invitation itself (the client's `emailInvitations`). */
  email?: { status: "Pending" | "Sent" | "Failed" };
}

/** A company token made from an invitation's token, as `POST /invitations/exchange` answers. */
export interface InvitationAccess {
  accessToken: string;
  companyId: string;
  categories: Category[];
  /** Whose journey it is, and what the invitation says, for the invitee's landing. */
  companyName: string;
  recipientName?: string;
  message?: string;
}

/** The documented error body, as far as the page reads it. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  correlationId?: string;
  /** Whether the same call may succeed later. */
  canBeRetried?: "Yes" | "No" | "Unknown";
  /** The kind of refusal, from the API's table (see `error-codes.ts`). */
  detailedErrorCode?: number;
  validation?: { errors: { itemId: string; message: string; validatorName?: string }[] };
}

export class ApiError extends Error {
  constructor(public body: ApiErrorBody) {
    super(body.error);
  }
}

export function connectionEvent(c: Connection): ConnectionEvent {
  return {
    connectionId: c.id,
    integrationId: c.integrationId,
    integrationKey: c.integrationKey,
    platformName: c.platformName,
    sourceId: c.sourceId,
    sourceType: c.sourceType,
  };
}

/** The category of a platform's `sourceType` (`BankFeed` is banking). */
export function categoryOf(sourceType: string): Category {
  return (sourceType.toLowerCase().startsWith("bank") ? "banking" : sourceType.toLowerCase()) as Category;
}

/** A category's platforms have this `sourceType`. */
export function sourceTypeOf(category: Category): string {
  return { accounting: "Accounting", banking: "Banking", commerce: "Commerce" }[category];
}

/**
 * The error body of a refused call; when something between the page and the
 * service answered instead (a proxy's page), one made from its status.
 */
export function errorBody(response: Response, text: string): ApiErrorBody {
  try {
    const body = JSON.parse(text);
    if (typeof body?.statusCode === "number" && typeof body?.error === "string") return body;
  } catch {
    // Not the service's JSON: said by its status below.
  }
  return { statusCode: response.status, error: response.statusText, canBeRetried: response.status >= 500 ? "Unknown" : "No" };
}

/** Posts `body` to one of the service's public paths, which take no token; the answer or its error body. */
async function postPublic<T>(path: string, body: unknown, credentials: RequestCredentials): Promise<T> {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    credentials,
  });
  const text = await response.text();
  if (!response.ok) throw new ApiError(errorBody(response, text));
  return JSON.parse(text);
}

/** Exchanges the token of a share URL for a company token (no other credential). */
export function openInvitation(token: string): Promise<InvitationAccess> {
  return postPublic("/invitations/exchange", { token }, "omit");
}

/**
 * Opens the signed link the page was reached by: uses it up, and gives this
 * browser the link's session (a cookie) and the page's company token. The
 * page does this itself, so a mail scanner that only fetches the address
 * leaves the link for the customer.
 */
export async function openLink(companyId: string, link: string): Promise<string> {
  const path = `/link/company/${encodeURIComponent(companyId)}/session`;
  return (await postPublic<{ accessToken: string }>(path, { link }, "same-origin")).accessToken;
}

export class Api {
  /** The correlation id of the last answer, which the service's logs and events carry. */
  correlationId?: string;

  /** `base` is the service's origin when the journey runs on another one (the component); empty on its own pages. */
  constructor(public token: string, readonly companyId: string, readonly base = "") {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(this.base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
    });
    this.correlationId = response.headers.get("x-correlation-id") ?? undefined;
    const text = await response.text();
    if (!response.ok) throw new ApiError(errorBody(response, text));
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private company(rest = ""): string {
    return `/companies/${encodeURIComponent(this.companyId)}${rest}`;
  }

  linkStatus(): Promise<LinkStatus> {
    return this.call("GET", this.company("/linkStatus"));
  }

  linkSettings(): Promise<LinkSettings> {
    return this.call("GET", "/linkSettings");
  }

  profile(): Promise<Profile> {
    return this.call("GET", "/profile");
  }

  async integrations(category: Category): Promise<Integration[]> {
    // Only what a customer can connect now: never a platform without the client's OAuth application, nor one whose credential is the client's.
    const query = encodeURIComponent(`sourceType=${sourceTypeOf(category)}&&readyForCustomers=true`);
    const page = await this.call<{ results: Integration[] }>("GET", `/integrations?pageSize=200&query=${query}`);
    return page.results;
  }

  integration(key: string): Promise<Integration> {
    return this.call("GET", `/integrations/${encodeURIComponent(key)}`);
  }

  /** Records a consent to what `shown` holds: the texts and data types on screen, which the server compares with the settings version. */
  consent(category: Category, shown: CategorySettings, settingsVersion: number, locale: string): Promise<ConsentRecord> {
    return this.call("POST", this.company("/consents"), {
      categories: [category],
      settingsVersion,
      locale,
      shown: { [category]: { consentTexts: shown.consentTexts, dataTypes: shown.dataTypes } },
    });
  }

  createConnection(platformKey: string): Promise<Connection> {
    return this.call("POST", this.company("/connections"), { platformKey });
  }

  connection(id: string): Promise<Connection> {
    return this.call("GET", this.company(`/connections/${encodeURIComponent(id)}`));
  }

  /** An invitation whose email (or `mailtoUrl`) speaks `locale`. */
  invite(categories: Category[], recipient: { name?: string; email?: string }, message: string | undefined, locale: string): Promise<Invitation> {
    return this.call("POST", this.company("/invitations"), { categories, recipient, message, locale });
  }

  /** Keeps the company's reminders on, emailed to `email`. */
  remindAt(email: string): Promise<Reminders> {
    return this.call("PUT", this.company("/reminders"), { enabled: true, email });
  }

  async consents(): Promise<ConsentRecord[]> {
    return (await this.call<{ results: ConsentRecord[] }>("GET", this.company("/consents"))).results;
  }

  withdraw(consentId: string, locale: string): Promise<unknown> {
    return this.call("POST", this.company(`/consents/${encodeURIComponent(consentId)}/withdraw`), { locale });
  }

  settingsVersion(version: number): Promise<LinkSettings> {
    return this.call("GET", `/linkSettings/versions/${version}`);
  }

  async connections(): Promise<ConnectionSummary[]> {
    return (await this.call<{ results: ConnectionSummary[] }>("GET", this.company("/connections?pageSize=100"))).results;
  }

  /** The customer stops sharing a linked connection; its stored access is destroyed. */
  unlink(id: string): Promise<Connection> {
    return this.call("PATCH", this.company(`/connections/${encodeURIComponent(id)}`), { status: "Unlinked" });
  }

  deleteConnection(id: string): Promise<unknown> {
    return this.call("DELETE", this.company(`/connections/${encodeURIComponent(id)}`));
  }

  /**
   * The connection to authorize for a platform: the customer's unfinished one
   * of that platform if there is one, else a new one. A company holds one
   * active accounting connection, so an unfinished accounting connection of
   * another platform is abandoned first.
   */
  async connectionFor(status: LinkStatus, category: Category, key: string): Promise<Connection> {
    const mine = status.categories.find((c) => c.category === category)?.connections ?? [];
    const unfinished = mine.find((c) => c.integrationKey === key && c.status !== "Linked");
    if (unfinished) return unfinished;
    if (category === "accounting") {
      for (const other of mine.filter((c) => c.status === "PendingAuth")) await this.deleteConnection(other.id);
    }
    return this.createConnection(key);
  }

  authorize(id: string, values: Record<string, string>): Promise<Connection> {
    return this.call("PUT", this.company(`/connections/${encodeURIComponent(id)}/authorization`), values);
  }
}
