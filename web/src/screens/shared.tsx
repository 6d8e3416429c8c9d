import { useEffect, useState } from "preact/hooks";

import { categoryOf, connectionEvent } from "../api";
import type { Category, ConnectionSummary, ConsentRecord, ConsentTexts, LinkSettings } from "../api";
import { Confirm } from "../confirm";
import { dataTypeLabel, sameLanguage, type Translate } from "../i18n";
import type { Journey } from "../journey";

const SECTIONS: (keyof ConsentTexts)[] = ["purpose", "access", "accountInformation", "platformData", "retention"];

interface Shared {
  consents: ConsentRecord[];
  texts: Record<number, LinkSettings>;
  connections: ConnectionSummary[];
  /** The platforms of ended connections that authorize by OAuth, which the connections component can reconnect. */
  oauth: Set<string>;
}

/** The texts a consent agreed to for `category`: those the journey showed in place of the settings version's, or the version's. */
function agreedTexts(consent: ConsentRecord, category: Category, version: LinkSettings | undefined): ConsentTexts | undefined {
  return consent.shownTexts?.[category] ?? version?.categories[category]?.consentTexts;
}

/** What a receipt says: who agreed to share what with whom, when, and how to take it back. */
interface Receipt {
  consent: ConsentRecord;
  texts: LinkSettings | undefined;
  /** When it was withdrawn, if it was. */
  withdrawn?: string;
  client: string;
  company?: string;
  t: Translate;
  locale: string;
}

/**
 * A consent's receipt as a page a person reads and prints: the client and
 * the company, the texts agreed to, the data types, when it was given (and
 * withdrawn), and the record's hashes. Built as a document (every value
 * set as text, never as markup) and saved as an HTML file.
 */
function download({ consent, texts, withdrawn, client, company, t, locale }: Receipt) {
  const page = document.implementation.createHTMLDocument(t("receiptTitle"));
  page.documentElement.lang = consent.locale ?? locale;
  const add = (tag: string, text: string, parent: HTMLElement = page.body) => {
    const element = page.createElement(tag);
    element.textContent = text;
    parent.appendChild(element);
    return element;
  };
  const when = (iso: string) => `${new Date(iso).toLocaleString(locale)} (${iso})`;
  add("h1", t("receiptTitle"));
  add("p", t("receiptWho", { client, company: company ?? t("receiptYourBusiness") }));
  add("p", t("consentGiven", { when: when(consent.created) }));
  add("p", withdrawn ? t("receiptWithdrawn", { when: when(withdrawn) }) : t("receiptActive", { client }));
  for (const category of consent.categories) {
    add("h2", t("consentTextsOf", t.about(category)));
    const list = page.createElement("dl");
    const agreed = agreedTexts(consent, category, texts);
    for (const section of SECTIONS) {
      add("dt", t(section), list);
      add("dd", agreed?.[section] ?? "", list);
    }
    page.body.appendChild(list);
  }
  add("h2", t("dataTypes"));
  const types = page.createElement("ul");
  for (const type of consent.dataTypes) add("li", dataTypeLabel(type, locale).label, types);
  page.body.appendChild(types);
  add("p", t("receiptRecord", { id: consent.id, hash: consent.hash, version: String(consent.settingsVersion) }));
  const link = document.createElement("a");
  const html = `<!doctype html>\n${page.documentElement.outerHTML}`;
  link.href = URL.createObjectURL(new Blob([html], { type: "text/html" }));
  link.download = `consent-${consent.sequence}.html`;
  link.click();
  URL.revokeObjectURL(link.href);
}

/** Prints the consents with every text shown: a receipt on paper, or as a PDF. */
function print(root: HTMLElement) {
  for (const details of root.querySelectorAll("details")) details.open = true;
  window.print();
}

/** What the customer has shared: each consent with its texts, time and receipt, a way to withdraw it, and the connections. */
export function WhatIShared({ journey }: { journey: Journey }) {
  const { t, api, locale, go, fail, refresh } = journey;
  const [shared, setShared] = useState<Shared>();
  const [done, setDone] = useState<string>();
  // The change the customer is asked to confirm.
  const [asking, setAsking] = useState<{ title: string; body: string; yes: string; act(): Promise<string> }>();

  const load = async () => {
    const [consents, connections] = await Promise.all([api.consents(), api.connections()]);
    const versions = [...new Set(consents.map((c) => c.settingsVersion))];
    const texts = Object.fromEntries(await Promise.all(versions.map(async (v) => [v, await api.settingsVersion(v)] as const)));
    const ended = journey.host.connectionsOnly ? [...new Set(connections.filter((c) => c.status !== "Linked").map((c) => c.integrationKey))] : [];
    const integrations = await Promise.all(ended.map((key) => api.integration(key)));
    const oauth = new Set(integrations.filter((i) => i.authMethod === "OAuth2").map((i) => i.key));
    setShared({ consents, texts, connections, oauth });
  };
  const reload = () => load().catch((error) => fail(error, reload));
  useEffect(() => {
    reload();
  }, []);

  const confirm = () => {
    const act = asking?.act;
    setAsking(undefined);
    if (act) run(act);
  };
  /** Does what the customer confirmed, and shows where it leaves them. */
  const run = async (act: () => Promise<string>) => {
    try {
      const said = await act();
      await refresh();
      await load();
      setDone(said);
      // What was acted on may be gone from the screen: the focus goes back to its top.
      journey.focusHeading();
    } catch (error) {
      fail(error, () => run(act));
    }
  };
  const withdraw = (consent: ConsentRecord) =>
    setAsking({
      title: t("withdrawTitle"),
      body: t("withdrawBody"),
      yes: t("withdraw"),
      act: async () => {
        await api.withdraw(consent.id, locale);
        return t("withdrawn");
      },
    });
  /**
   * The connections component reconnects an OAuth platform the customer
   * disconnected (or whose access ended): a new connection of that platform,
   * authorized in the provider's window, where its category is consented.
   */
  const reconnect = async (summary: ConnectionSummary) => {
    const { integrationKey: key, platformName: platform } = summary;
    try {
      const fresh = await api.createConnection(key);
      const outcome = await journey.host.authorize(fresh, locale);
      await refresh();
      await load();
      if (outcome === "linked") {
        journey.host.emit("reconnected", { connection: connectionEvent(await api.connection(fresh.id)) });
        setDone(t("linked", { platform }));
      } else {
        setDone(t(outcome, { platform }));
      }
      journey.focusHeading();
    } catch (error) {
      fail(error, () => reconnect(summary));
    }
  };
  const reconnectable = (connection: ConnectionSummary) =>
    journey.host.connectionsOnly === true &&
    (connection.status === "Unlinked" || connection.status === "Deauthorized") &&
    shared?.oauth.has(connection.integrationKey) === true &&
    journey.status.categories.some((c) => c.consented && c.category === categoryOf(connection.sourceType)) &&
    !shared?.connections.some((other) => other.integrationKey === connection.integrationKey && other.status === "Linked");
  const disconnect = ({ id, platformName: platform }: ConnectionSummary) =>
    setAsking({
      title: t("disconnectTitle", { platform }),
      body: t("disconnectBody", { platform }),
      yes: t("disconnect"),
      act: async () => {
        const unlinked = await api.unlink(id);
        journey.host.emit("disconnected", { connection: connectionEvent(unlinked) });
        return t("disconnected", { platform });
      },
    });

  if (!shared) return <p class="muted">{t("loading")}</p>;
  const ended = new Set(shared.consents.filter((c) => c.withdraws).map((c) => c.withdraws));
  const granted = shared.consents.filter((c) => c.kind === "Granted").reverse();
  const when = (iso: string) => new Date(iso).toLocaleString(locale);
  return (
    <section>
      <h1 tabIndex={-1}>{t("sharedTitle")}</h1>
      {done && (
        <p role="status" class="linked">
          {done}
        </p>
      )}
      {asking && <Confirm title={asking.title} body={asking.body} yes={asking.yes} no={t("cancel")} danger onYes={confirm} onNo={() => setAsking(undefined)} />}
      <h2>{t("sharedConnections")}</h2>
      {shared.connections.length === 0 ? (
        <p class="muted">{t("sharedNoConnections")}</p>
      ) : (
        <ul class="summary plain">
          {shared.connections.map((connection) => (
            <li key={connection.id}>
              <strong>{connection.platformName}</strong> — {t(`connection${connection.status}` as "connectionLinked")}
              {connection.status === "Linked" && (
                <div class="actions">
                  <button class="secondary" onClick={() => disconnect(connection)}>
                    {t("disconnect")}
                    <span class="visually-hidden"> {connection.platformName}</span>
                  </button>
                </div>
              )}
              {reconnectable(connection) && (
                <div class="actions">
                  <button class="secondary" onClick={() => reconnect(connection)}>
                    {t("reconnect")}
                    <span class="visually-hidden"> {connection.platformName}</span>
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      <h2>{t("sharedConsents")}</h2>
      {granted.length === 0 && <p class="muted">{t("sharedNoConsents")}</p>}
      {granted.map((consent) => {
        const texts = shared.texts[consent.settingsVersion];
        const active = !ended.has(consent.id);
        return (
          <article key={consent.id} class="card receipt">
            <h3>
              {consent.categories.map((c) => t(c)).join(", ")} — {active ? t("consentActive") : t("consentWithdrawn")}
            </h3>
            <p class="muted">{t("consentGiven", { when: when(consent.created) })}</p>
            {consent.categories.map((category) => (
              <details key={category}>
                <summary>{t("consentTextsOf", t.about(category))}</summary>
                <dl class="consent">
                  {SECTIONS.map((section) => (
                    <div key={section}>
                      <dt>{t(section)}</dt>
                      <dd lang={consent.locale && !sameLanguage(consent.locale, locale) ? consent.locale : undefined}>{agreedTexts(consent, category, texts)?.[section]}</dd>
                    </div>
                  ))}
                </dl>
              </details>
            ))}
            <div class="actions">
              <button
                class="secondary"
                onClick={() =>
                  download({
                    consent,
                    texts,
                    withdrawn: shared.consents.find((c) => c.withdraws === consent.id)?.created,
                    client: journey.profile.name,
                    company: journey.status.companyName,
                    t,
                    locale,
                  })
                }
              >
                {t("downloadReceipt")}
              </button>
              {active && (
                <button class="secondary" onClick={() => withdraw(consent)}>
                  {t("withdraw")}
                </button>
              )}
            </div>
          </article>
        );
      })}
      <div class="actions">
        {granted.length > 0 && (
          <button class="secondary" onClick={() => print(journey.host.root)}>
            {t("printReceipts")}
          </button>
        )}
        {journey.host.connectionsOnly ? (
          journey.host.close && (
            <button class="primary" onClick={() => journey.host.close?.()}>
              {t("close")}
            </button>
          )
        ) : (
          <button class="primary" onClick={() => go({ name: "categories" })}>
            {t("back")}
          </button>
        )}
      </div>
    </section>
  );
}
