import { useState } from "preact/hooks";

import type { Category, Connection, ConsentTexts } from "../api";
import { dataTypeLabel, localized, sameLanguage } from "../i18n";
import type { Journey } from "../journey";
import { Rich } from "../markdown";

const SECTIONS: (keyof ConsentTexts)[] = ["purpose", "access", "accountInformation", "platformData", "retention"];

/**
 * The category's consent texts and data types, and an explicit agreement,
 * recorded before any platform is picked; or, as the consent step of a Link
 * URL (`connection`), before the customer goes on to its provider.
 */
export function Consent({ journey, category, connection }: { journey: Journey; category: Category; connection?: Connection }) {
  const { t, settings, profile, api, locale, go, fail, refresh } = journey;
  const [busy, setBusy] = useState(false);
  const stored = settings.categories[category];
  // The texts in the customer's language where the client (or Link API, for its defaults) wrote them;
  // otherwise the client's own, marked with their language. The ledger records the ones shown.
  const chosen = localized(stored.localizedConsentTexts, stored.consentTexts, locale, settings.hostedJourney.defaultLocale ?? "en");
  const texts = { ...stored, consentTexts: chosen.value };
  const foreign = sameLanguage(chosen.lang, locale) ? undefined : chosen.lang;
  const agree = async () => {
    setBusy(true);
    try {
      const record = await api.consent(category, texts, settings.version, locale);
      const agreed = Object.fromEntries(SECTIONS.map((section) => [section, texts.consentTexts[section]]));
      journey.host.emit("consent_recorded", { category, consentId: record.id, settingsVersion: settings.version, locale, text: agreed, dataTypes: texts.dataTypes });
      const step = journey.host.consentStep;
      if (step && connection) {
        step.proceed(connection, false);
        return;
      }
      await refresh();
      // A consent once given is not asked again: Back from the platforms goes where the customer came from.
      go({ name: "platforms", category }, true);
    } catch (error) {
      setBusy(false);
      fail(error, agree);
    }
  };
  return (
    <section>
      <h1 tabIndex={-1}>{texts.screen?.title ?? t("consentTitle", { ...t.about(category), client: profile.name })}</h1>
      {texts.screen?.subtitle && <Rich text={texts.screen.subtitle} />}
      <dl class="consent">
        {SECTIONS.map((section) => (
          <div key={section}>
            <dt>{t(section)}</dt>
            <dd lang={foreign}>{texts.consentTexts[section]}</dd>
          </div>
        ))}
      </dl>
      <h2>{t("dataTypes")}</h2>
      <ul class="data-types">
        {texts.dataTypes.map((type) => {
          const { label, lang } = dataTypeLabel(type, locale);
          return (
            <li key={type} lang={lang}>
              {label}
            </li>
          );
        })}
      </ul>
      {texts.screen?.termsAndConditions && <Rich text={texts.screen.termsAndConditions} />}
      {settings.termsUrl && (
        <p>
          <a href={settings.termsUrl} target="_blank" rel="noopener noreferrer">
            {t("terms")}
          </a>
        </p>
      )}
      <div class="actions">
        <button class="secondary" onClick={() => (connection && journey.host.consentStep ? journey.host.consentStep.proceed(connection, true) : go({ name: "categories" }))}>
          {connection && journey.host.consentStep ? t("notNow") : t("back")}
        </button>
        <button class="primary" disabled={busy} onClick={agree}>
          {texts.screen?.nextButton ?? t("agree")}
        </button>
      </div>
    </section>
  );
}
