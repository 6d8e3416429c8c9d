// The hosted journey: the page served at a company's `redirect` URL. It
// reads its company and token from the page's meta tags and runs the whole
// journey on the public API.

import "./style.css";

import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

import { Api, ApiError, Category, Integration, LinkSettings, LinkStatus, openInvitation, Profile } from "./api";
import { Confirm } from "./confirm";
import { chooseLocale, direction, translator, Translate } from "./i18n";
import { carried } from "./query";
import { applyTheme } from "./theme";
import { Categories } from "./screens/categories";
import { Consent } from "./screens/consent";
import { Credentials } from "./screens/credentials";
import { Desktop } from "./screens/desktop";
import { Done } from "./screens/done";
import { Invite } from "./screens/invite";
import { Landing } from "./screens/landing";
import { Platforms } from "./screens/platforms";
import { Outcome, Result } from "./screens/result";
import { WhatIShared } from "./screens/shared";

export type Screen =
  | { name: "loading" }
  | { name: "landing" }
  | { name: "categories" }
  | { name: "consent"; category: Category }
  | { name: "platforms"; category: Category }
  | { name: "credentials"; category: Category; integration: Integration }
  | { name: "desktop"; category: Category; integration: Integration; connectionId: string }
  | { name: "result"; category: Category; platform: string; outcome: Outcome }
  | { name: "done" }
  | { name: "shared" }
  | { name: "invite"; category: Category; toMyself?: boolean }
  | { name: "left" }
  | { name: "error"; message: string; reference?: string };

/** What every screen may use. */
export interface Journey {
  api: Api;
  t: Translate;
  locale: string;
  /** Whether the page was opened from an invitation (limited to its categories). */
  invitee: boolean;
  profile: Profile;
  settings: LinkSettings;
  status: LinkStatus;
  /** Reads the journey status again (after a consent or a connection). */
  refresh(): Promise<LinkStatus>;
  go(screen: Screen): void;
  fail(error: unknown): void;
}

function meta(name: string): string {
  return document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? "";
}

/** How the OAuth hand-off came back, from the page's query string. */
function returned(query: URLSearchParams): Outcome | undefined {
  switch (query.get("statusCode")) {
    case null:
      return undefined;
    case "200":
    case "201":
      return "linked";
    case "403":
      return query.get("statusText") === "ConsentRequired" ? "consentMissing" : "cancelled";
    default:
      return "failed";
  }
}

function categoryOf(sourceType: string): Category {
  return (sourceType.toLowerCase().startsWith("bank") ? "banking" : sourceType.toLowerCase()) as Category;
}

function App() {
  const query = new URLSearchParams(location.search);
  const [data, setData] = useState<{ profile: Profile; settings: LinkSettings; status: LinkStatus }>();
  const locale = chooseLocale(query, navigator.languages, data?.settings.hostedJourney);
  const t = translator(locale, data?.settings.hostedJourney.texts, { client: data?.profile.name ?? "" });
  const api = useRef(new Api(meta("link-api-token"), meta("link-api-company")));
  // Read once: the address loses the token as soon as it is exchanged.
  const invitation = useRef(query.get("invitation")).current;
  const [screen, setScreen] = useState<Screen>({ name: "loading" });
  const heading = useRef<HTMLDivElement>(null);
  const [leaving, setLeaving] = useState(false);

  const fail = (error: unknown) => {
    const body = error instanceof ApiError ? error.body : undefined;
    setScreen({ name: "error", message: body?.error ?? String(error), reference: body?.correlationId });
  };

  useEffect(() => {
    document.documentElement.lang = locale;
    document.documentElement.dir = direction(locale);
  }, [locale]);

  useEffect(() => {
    (async () => {
      if (invitation) {
        // A share URL: the journey goes on with the invitation's own, narrower token.
        const access = await openInvitation(invitation);
        api.current = new Api(access.accessToken, access.companyId);
        query.delete("invitation");
        history.replaceState(null, "", location.pathname + carried(query));
      }
      const [profile, settings, status] = await Promise.all([api.current.profile(), api.current.linkSettings(), api.current.linkStatus()]);
      applyTheme(settings.hostedJourney);
      // A signed link is used up on arrival; the address keeps only what the journey carries on.
      if (query.has("link")) history.replaceState(null, "", location.pathname + carried(query));
      setData({ profile, settings, status });
      const outcome = returned(query);
      const connectionId = query.get("connectionId");
      if (outcome && connectionId) {
        const connection = await api.current.connection(connectionId);
        history.replaceState(null, "", location.pathname + carried(query));
        setScreen({ name: "result", category: categoryOf(connection.sourceType), platform: connection.platformName, outcome });
        return;
      }
      const begun = status.categories.some((c) => c.consented || c.connections.length > 0);
      setScreen(begun || !settings.hostedJourney.showLandingPage ? { name: "categories" } : { name: "landing" });
    })().catch(fail);
  }, []);

  // Each new screen takes the focus to its heading, so a screen reader says where the customer is.
  useEffect(() => {
    heading.current?.querySelector<HTMLElement>("h1")?.focus();
  }, [screen]);

  if (!data || screen.name === "loading") {
    return (
      <main class="journey" aria-busy="true">
        <p class="muted">{t("loading")}</p>
      </main>
    );
  }
  const journey: Journey = {
    api: api.current,
    t,
    locale,
    invitee: invitation !== null,
    ...data,
    refresh: async () => {
      const status = await api.current.linkStatus();
      setData({ ...data, status });
      return status;
    },
    go: setScreen,
    fail,
  };
  return (
    <main class="journey">
      <header class="brand">
        {data.profile.logoUrl ? <img src={data.profile.logoUrl} alt={data.profile.name} class="logo" /> : <strong>{data.profile.name}</strong>}
      </header>
      <div ref={heading}>{view(screen, journey)}</div>
      {leaving && (
        <Confirm
          title={t("exitTitle")}
          body={t("exitConfirmation")}
          yes={t("leaveNow")}
          no={t("stay")}
          onYes={() => {
            setLeaving(false);
            setScreen({ name: "left" });
          }}
          onNo={() => setLeaving(false)}
        />
      )}
      <footer class="secured">
        {!["done", "left", "error"].includes(screen.name) && (
          <p>
            <button class="link" onClick={() => setLeaving(true)}>
              {t("leave")}
            </button>
          </p>
        )}
        {screen.name !== "shared" && screen.name !== "error" && (
          <p>
            <button class="link" onClick={() => setScreen({ name: "shared" })}>
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
    </main>
  );
}

function view(screen: Screen, journey: Journey) {
  switch (screen.name) {
    case "landing":
      return <Landing journey={journey} />;
    case "categories":
      return <Categories journey={journey} />;
    case "consent":
      return <Consent journey={journey} category={screen.category} />;
    case "platforms":
      return <Platforms journey={journey} category={screen.category} />;
    case "credentials":
      return <Credentials journey={journey} category={screen.category} integration={screen.integration} />;
    case "result":
      return <Result journey={journey} category={screen.category} platform={screen.platform} outcome={screen.outcome} />;
    case "desktop":
      return <Desktop journey={journey} category={screen.category} integration={screen.integration} connectionId={screen.connectionId} />;
    case "done":
      return <Done journey={journey} />;
    case "left":
      return (
        <section>
          <h1 tabIndex={-1}>{journey.t("leftTitle")}</h1>
          <p>{journey.t("leftBody")}</p>
          <button class="secondary" onClick={() => journey.go({ name: "categories" })}>
            {journey.t("resume")}
          </button>
        </section>
      );
    case "shared":
      return <WhatIShared journey={journey} />;
    case "invite":
      return <Invite journey={journey} category={screen.category} toMyself={screen.toMyself ?? false} />;
    case "error":
      return (
        <section>
          <h1 tabIndex={-1}>{journey.t("errorTitle")}</h1>
          <p role="alert">{screen.message}</p>
          {screen.reference && <p class="muted">{journey.t("errorReference", { id: screen.reference })}</p>}
        </section>
      );
    default:
      return null;
  }
}

const root = document.getElementById("journey");
if (root) render(<App />, root);
