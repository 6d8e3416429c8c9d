import { useEffect, useRef, useState } from "preact/hooks";

import { ApiError, connectionEvent, type Category, type Connection, type Integration } from "../api";
import { PopupBlocked, type Journey, type ProviderWindow } from "../journey";

/** The built-in Sandbox's key, offered unless the link settings hide it. */
const SANDBOX = "mqjo";

/** Whether the screen is phone-sized, where desktop-only platforms cannot be completed. */
function onPhone(): boolean {
  return window.matchMedia("(max-width: 40rem)").matches;
}

function warnings(integration: Integration): ("desktopOnly" | "needsDesktopPackage" | "notMobile")[] {
  const support = integration.deviceSupport;
  const found: ("desktopOnly" | "needsDesktopPackage" | "notMobile")[] = [];
  if (support.desktopOnly) found.push("desktopOnly");
  if (support.needsDesktopPackage) found.push("needsDesktopPackage");
  if (!support.mobileOptimized && !support.desktopOnly) found.push("notMobile");
  return found;
}

/** Letters and digits only, in lower case: "Quick Books" and "quickbooks" compare equal. */
function folded(text: string): string {
  return text.toLocaleLowerCase().normalize("NFD").replace(/[^\p{L}\p{N}]/gu, "");
}

/** Whether a platform answers a search: by its name, one of its other names (`qbo`, `intuit`) or its key. */
function matches(integration: Integration, search: string): boolean {
  const wanted = folded(search);
  return !wanted || [integration.name, integration.key, ...(integration.aliases ?? [])].some((name) => folded(name).includes(wanted));
}

/** The most used platforms first, then by name. */
function byPopularity(a: Integration, b: Integration): number {
  return (b.popularity ?? 0) - (a.popularity ?? 0) || a.name.localeCompare(b.name);
}

/** The platforms offered for a category, searchable, with device warnings. */
export function Platforms({ journey, category }: { journey: Journey; category: Category }) {
  const { t, api, settings, status, go, fail, locale, host } = journey;
  const [offered, setOffered] = useState<Integration[]>();
  const [search, setSearch] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  // A provider whose window the browser blocked: a click of the customer's may open it.
  const [blocked, setBlocked] = useState<{ integration: Integration; connection: Connection }>();
  // A provider's window the journey waits for (the component's popup).
  const [waiting, setWaiting] = useState<{ platform: string; window: ProviderWindow }>();
  const waitingPanel = useRef<HTMLDivElement>(null);
  // The panel is where the customer looks on coming back, wherever the list was scrolled to.
  useEffect(() => {
    if (waiting) waitingPanel.current?.focus();
  }, [waiting]);

  const load = () => {
    const allowed = settings.categories[category].integrations;
    api
      .integrations(category)
      .then((all) =>
        setOffered(
          all
            .filter((i) => !allowed || allowed.includes(i.key))
            .filter((i) => settings.hostedJourney.showSandbox || i.key !== SANDBOX),
        ),
      )
      .catch((error) => fail(error, load));
  };
  useEffect(load, [category]);

  const choose = async (integration: Integration) => {
    host.emit("integration_selected", { integrationKey: integration.key, platformName: integration.name });
    if (integration.authMethod === "Credentials") {
      go({ name: "credentials", category, integration });
      return;
    }
    setBusy(true);
    try {
      const connection = await api.connectionFor(status, category, integration.key);
      host.emit("authorization_started", { connection: connectionEvent(connection) });
      await journey.refresh();
      if (integration.authMethod === "DesktopConnector") {
        go({ name: "desktop", category, integration, connectionId: connection.id });
        return;
      }
      await authorize(integration, connection);
    } catch (error) {
      stopped(error, () => choose(integration));
    }
  };

  /** Sends the customer to the provider, and shows how it ended once they are back. */
  const authorize = async (integration: Integration, connection: Connection) => {
    try {
      const outcome = await host.authorize(connection, locale, (window) => setWaiting({ platform: integration.name, window }));
      setWaiting(undefined);
      setBusy(false);
      await journey.refresh();
      go({ name: "result", category, platform: integration.name, outcome, connection: await api.connection(connection.id) });
    } catch (error) {
      setWaiting(undefined);
      if (error instanceof PopupBlocked) {
        setBusy(false);
        setBlocked({ integration, connection });
      } else stopped(error, () => authorize(integration, connection));
    }
  };

  const stopped = (error: unknown, retry: () => unknown) => {
    setBusy(false);
    if (error instanceof ApiError && error.body.statusCode < 500 && error.body.canBeRetried === "No") setProblem(error.body.error);
    else fail(error, retry);
  };

  const shown = (offered ?? []).filter((i) => matches(i, search)).sort(byPopularity);
  return (
    <section>
      <h1 tabIndex={-1}>{t("platformsTitle", t.about(category))}</h1>
      {offered?.length !== 0 && (
        <label class="search">
          <span class="visually-hidden">{t("search")}</span>
          <input type="search" placeholder={t("search")} value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </label>
      )}
      {offered !== undefined && search.trim() !== "" && (
        // How many platforms a search found is announced as it changes.
        <p class="visually-hidden" role="status">
          {shown.length === 1 ? t("oneFound") : t("manyFound", { count: String(shown.length) })}
        </p>
      )}
      {problem && (
        <p role="alert" class="problem">
          {problem}
        </p>
      )}
      {waiting && (
        <div class="popup-blocked" role="status" tabIndex={-1} ref={waitingPanel}>
          <p>{t("popupWaiting", { platform: waiting.platform })}</p>
          <div class="actions">
            <button class="secondary" onClick={() => waiting.window.cancel()}>
              {t("popupCancel")}
            </button>
            <button class="primary" onClick={() => waiting.window.focus()}>
              {t("popupFocus", { platform: waiting.platform })}
            </button>
          </div>
        </div>
      )}
      {blocked && (
        <div class="popup-blocked" role="alert">
          <p>{t("popupBlocked", { platform: blocked.integration.name })}</p>
          <button
            class="primary"
            onClick={() => {
              setBlocked(undefined);
              setBusy(true);
              void authorize(blocked.integration, blocked.connection);
            }}
          >
            {t("popupOpen", { platform: blocked.integration.name })}
          </button>
        </div>
      )}
      {offered === undefined ? (
        <p class="muted">{t("loading")}</p>
      ) : offered.length === 0 ? (
        <p role="status">{t("noPlatforms", { ...t.about(category), client: journey.profile.name })}</p>
      ) : shown.length === 0 ? (
        <p class="muted">{t("noMatch")}</p>
      ) : (
        <ul class="platforms">
          {shown.map((integration) => {
            const blocked = integration.deviceSupport.desktopOnly && onPhone();
            const notes = warnings(integration);
            const noteId = `notes-${integration.key}`;
            return (
              <li key={integration.key}>
                <button class="platform" disabled={busy || blocked} aria-describedby={notes.length ? noteId : undefined} onClick={() => choose(integration)}>
                  <img src={integration.logoUrl} alt="" width={40} height={40} />
                  <span class="name">{integration.name}</span>
                </button>
                {notes.length > 0 && (
                  <p id={noteId} class="warning">
                    {blocked ? t("desktopOnlyOnPhone", { platform: integration.name }) : notes.map((note) => t(note)).join(" ")}
                  </p>
                )}
                {blocked && !journey.invitee && (
                  <button class="link" onClick={() => go({ name: "invite", category, toMyself: true })}>
                    {t("toMyselfLink")}
                    <span class="visually-hidden"> ({integration.name})</span>
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <button class="secondary" onClick={() => go({ name: "categories" })}>
        {t("back")}
      </button>
    </section>
  );
}
