import { useEffect, useState } from "preact/hooks";

import type { ConnectionSummary, ConsentRecord, ConsentTexts, LinkSettings } from "../api";
import type { Journey } from "../main";

const SECTIONS: (keyof ConsentTexts)[] = ["purpose", "access", "accountInformation", "platformData", "retention"];

interface Shared {
  consents: ConsentRecord[];
  texts: Record<number, LinkSettings>;
  connections: ConnectionSummary[];
}

/** A consent's receipt, as a JSON file the customer keeps. */
function download(consent: ConsentRecord, texts: LinkSettings | undefined) {
  const receipt = {
    ...consent,
    texts: Object.fromEntries(consent.categories.map((c) => [c, texts?.categories[c]?.consentTexts])),
  };
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([JSON.stringify(receipt, null, 2)], { type: "application/json" }));
  link.download = `consent-${consent.sequence}.json`;
  link.click();
  URL.revokeObjectURL(link.href);
}

/** Prints the consents with every text shown: a receipt on paper, or as a PDF. */
function print() {
  for (const details of document.querySelectorAll("details")) details.open = true;
  window.print();
}

/** What the customer has shared: each consent with its texts, time and receipt, a way to withdraw it, and the connections. */
export function WhatIShared({ journey }: { journey: Journey }) {
  const { t, api, locale, go, fail, refresh } = journey;
  const [shared, setShared] = useState<Shared>();
  const [withdrawn, setWithdrawn] = useState<string>();

  const load = async () => {
    const [consents, connections] = await Promise.all([api.consents(), api.connections()]);
    const versions = [...new Set(consents.map((c) => c.settingsVersion))];
    const texts = Object.fromEntries(await Promise.all(versions.map(async (v) => [v, await api.settingsVersion(v)] as const)));
    setShared({ consents, texts, connections });
  };
  useEffect(() => {
    load().catch(fail);
  }, []);

  const withdraw = async (consent: ConsentRecord) => {
    try {
      await api.withdraw(consent.id, locale);
      await refresh();
      await load();
      setWithdrawn(t("withdrawn"));
    } catch (error) {
      fail(error);
    }
  };

  if (!shared) return <p class="muted">{t("loading")}</p>;
  const ended = new Set(shared.consents.filter((c) => c.withdraws).map((c) => c.withdraws));
  const granted = shared.consents.filter((c) => c.kind === "Granted").reverse();
  const when = (iso: string) => new Date(iso).toLocaleString(locale);
  return (
    <section>
      <h1 tabIndex={-1}>{t("sharedTitle")}</h1>
      {withdrawn && (
        <p role="status" class="linked">
          {withdrawn}
        </p>
      )}
      <h2>{t("sharedConnections")}</h2>
      {shared.connections.length === 0 ? (
        <p class="muted">{t("sharedNoConnections")}</p>
      ) : (
        <ul class="summary plain">
          {shared.connections.map((connection) => (
            <li key={connection.id}>
              <strong>{connection.platformName}</strong> — {t(`connection${connection.status}` as "connectionLinked")}
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
                <summary>{t("consentTextsOf", { category: t(category).toLowerCase() })}</summary>
                <dl class="consent">
                  {SECTIONS.map((section) => (
                    <div key={section}>
                      <dt>{t(section)}</dt>
                      <dd>{texts?.categories[category]?.consentTexts[section]}</dd>
                    </div>
                  ))}
                </dl>
              </details>
            ))}
            <div class="actions">
              <button class="secondary" onClick={() => download(consent, texts)}>
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
          <button class="secondary" onClick={print}>
            {t("printReceipts")}
          </button>
        )}
        <button class="primary" onClick={() => go({ name: "categories" })}>
          {t("back")}
        </button>
      </div>
    </section>
  );
}
