import { useEffect, useState } from "preact/hooks";

import { ApiError, type Category, type Integration } from "../api";
import type { Journey } from "../main";
import { carried } from "../query";

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

/**
 * Sends the customer to a connection's Link URL, asking to come back to this
 * journey, with the journey's own custom values and locale.
 */
function authorizeAtProvider(linkUrl: string, locale: string) {
  const url = new URL(linkUrl, location.href);
  for (const [name, value] of new URLSearchParams(carried(new URLSearchParams(location.search)))) {
    url.searchParams.set(name, value);
  }
  url.searchParams.set("linkReturn", "hosted");
  url.searchParams.set("locale", locale);
  location.assign(url.toString());
}

/** The platforms offered for a category, searchable, with device warnings. */
export function Platforms({ journey, category }: { journey: Journey; category: Category }) {
  const { t, api, settings, status, go, fail, locale } = journey;
  const [offered, setOffered] = useState<Integration[]>();
  const [search, setSearch] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
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
      .catch(fail);
  }, [category]);

  const choose = async (integration: Integration) => {
    if (integration.authMethod === "Credentials") {
      go({ name: "credentials", category, integration });
      return;
    }
    setBusy(true);
    try {
      const connection = await api.connectionFor(status, category, integration.key);
      if (integration.authMethod === "DesktopConnector") {
        await journey.refresh();
        go({ name: "desktop", category, integration, connectionId: connection.id });
      } else {
        authorizeAtProvider(connection.linkUrl, locale);
      }
    } catch (error) {
      setBusy(false);
      if (error instanceof ApiError && error.body.statusCode < 500) setProblem(error.body.error);
      else fail(error);
    }
  };

  const shown = (offered ?? []).filter((i) => i.name.toLowerCase().includes(search.trim().toLowerCase()));
  return (
    <section>
      <h1 tabIndex={-1}>{t("platformsTitle", { category: t.inSentence(category) })}</h1>
      <label class="search">
        <span class="visually-hidden">{t("search")}</span>
        <input type="search" placeholder={t("search")} value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
      </label>
      {problem && (
        <p role="alert" class="problem">
          {problem}
        </p>
      )}
      {offered === undefined ? (
        <p class="muted">{t("loading")}</p>
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
