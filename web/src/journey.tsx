// The customer's journey, one for both ways of showing it: the hosted page
// (a whole page at a company's `redirect` URL) and the embedded component
// (mounted in the client's own web app). What differs between the two is
// given by a `Host`: how a provider is reached, how the journey ends, and
// who hears what happens.

import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

import type { EventName } from "../link-sdk/index";
import { Api, ApiError, Category, categoryOf, Connection, Integration, InvitationAccess, LinkSettings, LinkStatus, Profile } from "./api";
import { Confirm } from "./confirm";
import { ErrorCode } from "./error-codes";
import { chooseLocale, direction, translator, Translate, type TextKey } from "./i18n";
import { applyTheme } from "./theme";
import { Categories } from "./screens/categories";
import { Consent } from "./screens/consent";
import { Credentials } from "./screens/credentials";
import { Desktop } from "./screens/desktop";
import { Done } from "./screens/done";
import { Invite } from "./screens/invite";
import { Landing } from "./screens/landing";
import { Left } from "./screens/left";
import { Platforms } from "./screens/platforms";
import { Outcome, Result } from "./screens/result";
import { WhatIShared } from "./screens/shared";

export type Screen =
  | { name: "loading" }
  | { name: "landing" }
  | { name: "categories" }
  | { name: "consent"; category: Category; connection?: Connection }
  | { name: "platforms"; category: Category }
  | { name: "credentials"; category: Category; integration: Integration }
  | { name: "desktop"; category: Category; integration: Integration; connectionId: string }
  /** `unchecked`: typed credentials that no verifier of the client's checked (saved, not proven to work). */
  | { name: "result"; category: Category; platform: string; outcome: Outcome; connection?: Connection; unchecked?: boolean }
  | { name: "done" }
  | { name: "shared" }
  | { name: "invite"; category: Category; toMyself?: boolean }
  | { name: "left" }
  | { name: "error"; message: string; reference?: string };

export type { EventName };

/** A provider's popup could not open: the journey offers a button, whose click may open it. */
export class PopupBlocked extends Error {}

/** A provider's window the journey waits for (a popup): it can be brought to the front, or given up. */
export interface ProviderWindow {
  focus(): void;
  /** Closes it: the authorization ends as cancelled, unless it linked meanwhile. */
  cancel(): void;
}

/** What differs between the hosted page and the embedded component. */
export interface Host {
  /** The element the journey lives in: its language, direction and colours are set on it. */
  root: HTMLElement;
  /** The settings for this showing only (the component's options); the stored ones otherwise. */
  adjust?(settings: LinkSettings): LinkSettings;
  /** The client's name to show in place of the profile's (the component's `companyName` text). */
  clientName?: string;
  /**
   * Sends the customer to a connection's provider. Resolves with how it
   * ended when the journey stays on screen (a popup), or never when the
   * page itself goes to the provider.
   */
  authorize(connection: Connection, locale: string, opened?: (window: ProviderWindow) => void): Promise<Outcome>;
  /** The end of the journey, after the summary. */
  finish(): void;
  /** Offered as a close button (the component, when the client listens for it). */
  close?(): void;
  /** Offers to leave for now and come back by the same link (the hosted page). */
  canLeave?: boolean;
  /** Where a hosted journey starts: the outcome of a hand-off it comes back from. */
  returned?: { outcome: Outcome; connectionId: string };
  /** Opened from this invitation (limited to its categories): its landing says whose journey it is and what the inviter wrote. */
  invitation?: Pick<InvitationAccess, "companyName" | "recipientName" | "message">;
  /**
   * The consent step of a Link URL opened without the consent its connection
   * needs (a flow built for Codat records none): the journey shows that
   * category's consent alone, then `proceed` takes the customer on to the
   * Link URL, or back to the client when they decline.
   */
  consentStep?: { connectionId: string; proceed(connection: Connection, declined: boolean): void };
  /**
   * The connections component: only what the customer has shared, to read,
   * withdraw and disconnect; its Back closes it.
   */
  connectionsOnly?: boolean;
  /**
   * The token proves who holds it (the client's back end gave it, or the page
   * was opened from a signed link or an invitation): what the customer shared,
   * and where reminders go, are offered only then. A bare company id's token
   * may only start and continue the journey.
   */
  proven?: boolean;
  /** Shown as a modal dialog over the client's page (the component, unless inline). */
  modal?: boolean;
  /** The locale asked for by the client (the component's `locale`); otherwise the page's `?locale=`. */
  locale?: string;
  /**
   * Screens are entries of the browser's history (the hosted page, which is
   * the whole tab): Back and Forward move between them, and a reload stays
   * where the customer was.
   */
  history?: boolean;
  emit(name: EventName, detail?: Record<string, unknown>): void;
}

/** What every screen may use. */
export interface Journey {
  api: Api;
  t: Translate;
  locale: string;
  /** Whether the page was opened from an invitation (limited to its categories). */
  invitee: boolean;
  host: Host;
  profile: Profile;
  settings: LinkSettings;
  status: LinkStatus;
  /** Reads the journey status again (after a consent or a connection). */
  refresh(): Promise<LinkStatus>;
  /** Shows `screen`; `replace`: in place of this one in the browser's history (what Back should skip). */
  go(screen: Screen, replace?: boolean): void;
  /**
   * Says that a call failed. The customer stays on their screen, told in
   * their language what happened, with `retry` offered as Try again when
   * the same call may succeed later (and run by itself when a lost
   * connection comes back).
   */
  fail(error: unknown, retry?: () => unknown): void;
  /** Puts the focus on the screen's heading (after what had it left the screen). */
  focusHeading(): void;
}


/**
 * The categories of this showing, each required or not as its settings
 * have it, and what that makes complete or missing.
 */
function requiredAsSet(status: LinkStatus, settings: LinkSettings): LinkStatus {
  // A category this showing leaves out is neither shown nor waited for.
  const categories = status.categories.filter((c) => c.category in settings.categories).map((c) => {
    const required = settings.categories[c.category]?.required ?? c.required;
    return { ...c, required, satisfied: c.linked || !required };
  });
  return {
    ...status,
    categories,
    complete: categories.every((c) => c.satisfied),
    missing: categories.filter((c) => !c.satisfied).map((c) => c.category),
  };
}

/** A failed call the customer is told about on their screen, and how to try it again. */
interface Trouble {
  message: string;
  reference?: string;
  retry?: () => unknown;
  /** No answer came (the network, or the service is away): a connection that comes back retries. */
  unanswered: boolean;
}

/** What to tell the customer about a failed call, in their language where the kind is known. */
function describe(error: unknown, t: Translate): string {
  if (!(error instanceof ApiError)) {
    if (!navigator.onLine) return t("offline");
    return error instanceof TypeError ? t("unreachable") : String(error);
  }
  const { detailedErrorCode: code, statusCode } = error.body;
  if (code === ErrorCode.rateLimited) return t("tooMany");
  if (code === ErrorCode.emailLimitReached) return t("emailLimit");
  if (code === ErrorCode.credentialsVerifierUnavailable) return t("detailsUnchecked");
  if (statusCode >= 500) return t("serverTrouble");
  return error.body.error;
}

/** Whether the same call may succeed if the customer tries again soon. */
function retryable(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return error.body.canBeRetried !== "No" && error.body.detailedErrorCode !== ErrorCode.emailLimitReached;
}

/** The journey's screen a history entry holds, if it holds one. */
function screenOf(state: unknown): Screen | undefined {
  const screen = (state as { linkJourney?: Screen } | null)?.linkJourney;
  return screen && screen.name !== "loading" && screen.name !== "error" ? screen : undefined;
}

export function JourneyApp({ api, host }: { api: Api; host: Host }) {
  const query = host.locale ? new URLSearchParams({ locale: host.locale }) : new URLSearchParams(location.search);
  const [data, setData] = useState<{ profile: Profile; settings: LinkSettings; status: LinkStatus }>();
  const locale = chooseLocale(query, navigator.languages, data?.settings.hostedJourney);
  const t = translator(locale, data?.settings.hostedJourney.texts, { client: data?.profile.name ?? "" });
  const [screen, setScreen] = useState<Screen>({ name: "loading" });
  const heading = useRef<HTMLDivElement>(null);
  const [leaving, setLeaving] = useState(false);
  const [trouble, setTrouble] = useState<Trouble>();
  const troubleShown = useRef<HTMLDivElement>(null);
  const [offline, setOffline] = useState(!navigator.onLine);
  // The latest trouble and data, for listeners registered once.
  const latest = useRef<{ trouble?: Trouble; status?: LinkStatus }>({});
  latest.current = { trouble, status: data?.status };
  const adjusted = (status: LinkStatus, settings: LinkSettings) => (host.adjust ? requiredAsSet(status, settings) : status);
  /** Shows `next`, as a new history entry when screens are entries (`replace`: in place of the current one). */
  const go = (next: Screen, replace = false) => {
    setTrouble(undefined);
    setScreen(next);
    if (host.history && screenOf({ linkJourney: next })) {
      if (replace) history.replaceState({ linkJourney: next }, "");
      else history.pushState({ linkJourney: next }, "");
    }
  };
  const fail = (error: unknown, retry?: () => unknown) => {
    const body = error instanceof ApiError ? error.body : undefined;
    const message = describe(error, t);
    host.emit("failed", { error, message: body?.error ?? String(error), correlationId: body?.correlationId });
    const again = retryable(error) ? retry : undefined;
    // Before the journey has loaded there is no screen to stay on; an ended
    // session (401) has nothing left to retry.
    if (!latest.current.status || body?.statusCode === 401) {
      const said = body?.statusCode === 401 ? t("sessionEnded") : message;
      setTrouble(again ? { message: said, retry: again, unanswered: !body } : undefined);
      setScreen({ name: "error", message: said, reference: body?.correlationId });
      return;
    }
    setTrouble({ message, reference: body?.correlationId, retry: again, unanswered: !body });
  };
  const retry = () => {
    const again = latest.current.trouble?.retry;
    setTrouble(undefined);
    if (!latest.current.status) setScreen({ name: "loading" });
    again?.();
  };

  // A lost connection is said while it lasts; when it comes back, what failed for want of it is tried again.
  useEffect(() => {
    const down = () => setOffline(true);
    const up = () => {
      setOffline(false);
      if (latest.current.trouble?.unanswered && latest.current.trouble.retry) retry();
    };
    window.addEventListener("offline", down);
    window.addEventListener("online", up);
    return () => {
      window.removeEventListener("offline", down);
      window.removeEventListener("online", up);
    };
  }, []);

  // A failure takes the focus, so it is heard and Try again is the next key press away.
  useEffect(() => {
    if (trouble && latest.current.status) troubleShown.current?.focus();
  }, [trouble]);

  // Back and Forward move between the journey's screens. A consent already
  // given is not asked again: its entry leads on to the platforms.
  useEffect(() => {
    if (!host.history) return;
    const moved = (event: PopStateEvent) => {
      const target = screenOf(event.state);
      if (!target) return;
      setTrouble(undefined);
      const given = (category: Category) => latest.current.status?.categories.some((c) => c.category === category && c.consented);
      if (target.name === "consent" && !target.connection && given(target.category)) go({ name: "platforms", category: target.category }, true);
      else setScreen(target);
    };
    window.addEventListener("popstate", moved);
    return () => window.removeEventListener("popstate", moved);
  }, []);

  useEffect(() => {
    host.root.lang = locale;
    host.root.dir = direction(locale);
  }, [locale]);

  const load = async () => {
      const [own, stored, status] = await Promise.all([api.profile(), api.linkSettings(), api.linkStatus()]);
      const profile = host.clientName ? { ...own, name: host.clientName } : own;
      const settings = host.adjust ? host.adjust(stored) : stored;
      applyTheme(host.root, settings.hostedJourney);
      setData({ profile, settings, status: adjusted(status, settings) });
      host.emit("opened", { companyId: api.companyId });
      if (host.connectionsOnly) {
        go({ name: "shared" }, true);
        return;
      }
      if (host.consentStep) {
        const connection = await api.connection(host.consentStep.connectionId);
        const category = categoryOf(connection.sourceType);
        const given = status.categories.find((c) => c.category === category)?.consented;
        if (given) host.consentStep.proceed(connection, false);
        else go({ name: "consent", category, connection }, true);
        return;
      }
      if (host.returned) {
        const connection = await api.connection(host.returned.connectionId);
        go({ name: "result", category: categoryOf(connection.sourceType), platform: connection.platformName, outcome: host.returned.outcome, connection }, true);
        return;
      }
      // A reload (or Back from another page) comes back to the screen the
      // customer was on; one who had left, or finished, comes back to go on.
      const resumed = host.history ? screenOf(history.state) : undefined;
      if (resumed && resumed.name !== "left" && resumed.name !== "done") {
        setScreen(resumed);
        return;
      }
      const begun = status.categories.some((c) => c.consented || c.connections.length > 0);
      // An invitee always meets the landing: it says who asks and why.
      const landing = host.invitation !== undefined || (!begun && settings.hostedJourney.showLandingPage);
      go(landing ? { name: "landing" } : { name: "categories" }, true);
  };
  const loadOrFail = () => load().catch((error) => fail(error, loadOrFail));
  useEffect(() => {
    loadOrFail();
  }, []);

  // Each new screen takes the focus to its heading, so a screen reader says where the customer is.
  useEffect(() => {
    heading.current?.querySelector<HTMLElement>("h1")?.focus();
  }, [screen]);

  // A modal journey (the component's default) is a dialog from its first moment.
  const frame = useRef<HTMLDialogElement>(null);
  /** Leaves a journey that never loaded: the client hears it closed when it listens, else it just goes. */
  const dismiss = () => (host.close ? host.close() : host.finish());
  useEffect(() => {
    if (host.modal) frame.current?.showModal();
  }, []);
  const framed = (content: JSX.Element) =>
    host.modal ? (
      <dialog
        ref={frame}
        class="link-modal"
        aria-label={data?.profile.name ?? t("loading")}
        onCancel={(event) => {
          // Escape asks before closing, like the close button (the connections
          // component, and a journey that could not load, where nothing is left
          // unfinished, close at once); without a close button it does nothing.
          event.preventDefault();
          if (!data) dismiss();
          else if (host.connectionsOnly) host.close?.();
          else if (host.close) setLeaving(true);
        }}
      >
        {content}
      </dialog>
    ) : (
      content
    );

  if (!data && screen.name === "error") {
    // The journey could not load at all (the service refused this page, or is
    // away): a modal always lets the customer out, so the page behind is theirs again.
    return framed(
      <main class="journey" lang={locale}>
        <Problem t={t} message={screen.message} reference={screen.reference} />
        {(trouble?.retry || host.modal) && (
          <div class="actions">
            {trouble?.retry && (
              <button class="primary" onClick={retry}>
                {t("retry")}
              </button>
            )}
            {host.modal && (
              <button class={trouble?.retry ? "secondary" : "primary"} onClick={dismiss}>
                {t("close")}
              </button>
            )}
          </div>
        )}
      </main>,
    );
  }
  if (!data || screen.name === "loading") {
    return framed(
      <main class="journey" aria-busy="true" lang={locale}>
        <p class="muted">{t("loading")}</p>
      </main>,
    );
  }
  const journey: Journey = {
    api,
    t,
    locale,
    invitee: host.invitation !== undefined,
    host,
    ...data,
    refresh: async () => {
      const status = adjusted(await api.linkStatus(), data.settings);
      setData({ ...data, status });
      return status;
    },
    go,
    fail,
    focusHeading: () => heading.current?.querySelector<HTMLElement>("h1")?.focus(),
  };
  return framed(
    <main class="journey" lang={locale} dir={direction(locale)}>
      {host.close && (
        <button class="close" aria-label={t("close")} onClick={() => (host.connectionsOnly ? host.close?.() : setLeaving(true))}>
          ×
        </button>
      )}
      <header class="brand">
        {data.profile.logoUrl ? <img src={data.profile.logoUrl} alt={data.profile.name} class="logo" /> : <strong>{data.profile.name}</strong>}
      </header>
      {offline && (
        <p class="notice" role="status">
          {t("offline")}
        </p>
      )}
      {trouble && !(offline && trouble.unanswered) && (
        <div class="trouble" role="alert" tabIndex={-1} ref={troubleShown}>
          <p>{trouble.message}</p>
          {trouble.reference && <p class="muted">{t("errorReference", { id: trouble.reference })}</p>}
          {trouble.retry && (
            <button class="primary" onClick={retry}>
              {t("retry")}
            </button>
          )}
        </div>
      )}
      <div ref={heading}>{view(screen, journey)}</div>
      {leaving && (
        <Confirm
          title={t("exitTitle")}
          body={t("exitConfirmation")}
          yes={t("leaveNow")}
          no={t("stay")}
          onYes={() => {
            setLeaving(false);
            if (host.close) host.close();
            else go({ name: "left" });
          }}
          onNo={() => setLeaving(false)}
        />
      )}
      <footer class="secured">
        {host.canLeave && !["done", "left", "error"].includes(screen.name) && (
          <p>
            <button class="link" onClick={() => setLeaving(true)}>
              {t("leave")}
            </button>
          </p>
        )}
        {host.proven && !host.connectionsOnly && screen.name !== "shared" && screen.name !== "error" && (
          <p>
            <button class="link" onClick={() => go({ name: "shared" })}>
              {t("sharedLink")}
            </button>
          </p>
        )}
        {data.settings.hostedJourney.helpUrl && (
          <p>
            <a href={data.settings.hostedJourney.helpUrl} target="_blank" rel="noopener noreferrer">
              {t("help")}
            </a>
          </p>
        )}
        {data.settings.hostedJourney.showSecuredBy && <p>{t("securedBy")}</p>}
      </footer>
    </main>,
  );
}

function view(screen: Screen, journey: Journey) {
  switch (screen.name) {
    case "landing":
      return <Landing journey={journey} />;
    case "categories":
      return <Categories journey={journey} />;
    case "consent":
      return <Consent journey={journey} category={screen.category} connection={screen.connection} />;
    case "platforms":
      return <Platforms journey={journey} category={screen.category} />;
    case "credentials":
      return <Credentials journey={journey} category={screen.category} integration={screen.integration} />;
    case "result":
      return <Result journey={journey} category={screen.category} platform={screen.platform} outcome={screen.outcome} connection={screen.connection} unchecked={screen.unchecked} />;
    case "desktop":
      return <Desktop journey={journey} category={screen.category} integration={screen.integration} connectionId={screen.connectionId} />;
    case "done":
      return <Done journey={journey} />;
    case "left":
      return <Left journey={journey} />;
    case "shared":
      return <WhatIShared journey={journey} />;
    case "invite":
      return <Invite journey={journey} category={screen.category} toMyself={screen.toMyself ?? false} />;
    case "error":
      return <Problem t={journey.t} message={screen.message} reference={screen.reference} />;
    default:
      return null;
  }
}


function Problem({ t, message, reference }: { t: Translate; message: string; reference?: string }) {
  return (
    <section>
      <h1 tabIndex={-1}>{t("errorTitle")}</h1>
      <p role="alert">{message}</p>
      {reference && <p class="muted">{t("errorReference", { id: reference })}</p>}
    </section>
  );
}

/** The words for a link or an invitation that cannot open the journey, by the kind of refusal. */
const REFUSED: Record<number, [TextKey, TextKey]> = {
  [ErrorCode.journeyLinkUsed]: ["linkUsedTitle", "linkUsedBody"],
  [ErrorCode.journeyLinkEnded]: ["linkEndedTitle", "linkEndedBody"],
  [ErrorCode.journeyLinkNotFound]: ["linkUnknownTitle", "linkUnknownBody"],
  [ErrorCode.invitationEnded]: ["invitationEndedTitle", "invitationEndedBody"],
  [ErrorCode.invalidInvitationToken]: ["invitationUnknownTitle", "invitationUnknownBody"],
};

/**
 * What the customer sees when the journey cannot even start (a link or an
 * invitation that no longer opens it, or a service out of reach): in their
 * language, saying whom to ask, and with Try again where that may help.
 */
export function Failure({ error }: { error: unknown }) {
  const locale = chooseLocale(new URLSearchParams(location.search), navigator.languages);
  // The page's title is the name of the client who asks.
  const t = translator(locale, {}, { client: document.title });
  const body = error instanceof ApiError ? error.body : undefined;
  const known = body?.detailedErrorCode === undefined ? undefined : REFUSED[body.detailedErrorCode];
  return (
    <main class="journey" lang={locale} dir={direction(locale)}>
      <section>
        <h1 tabIndex={-1}>{t(known?.[0] ?? "errorTitle")}</h1>
        <p role="alert">{known ? t(known[1]) : describe(error, t)}</p>
        {body?.correlationId && <p class="muted">{t("errorReference", { id: body.correlationId })}</p>}
      </section>
      {!known && retryable(error) && (
        <div class="actions">
          <button class="primary" onClick={() => location.reload()}>
            {t("retry")}
          </button>
        </div>
      )}
    </main>
  );
}
