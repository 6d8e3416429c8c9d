import type { Category } from "../api";
import type { Journey } from "../main";

export type Outcome = "linked" | "cancelled" | "consentMissing" | "failed";

/** How an authorization ended, with the ways on: back to the categories, try again, or another platform. */
export function Result({ journey, category, platform, outcome }: { journey: Journey; category: Category; platform: string; outcome: Outcome }) {
  const { t, go } = journey;
  const linked = outcome === "linked";
  return (
    <section>
      <h1 tabIndex={-1}>{linked ? t("linked", { platform }) : t("notConnected", { platform })}</h1>
      {!linked && (
        <p role="alert" class="problem">
          {t(outcome, { platform })}
        </p>
      )}
      <div class="actions">
        {linked ? (
          <>
            {category === "banking" && (
              <button class="secondary" onClick={() => go({ name: "platforms", category })}>
                {t("connectAnother")}
              </button>
            )}
            <button class="primary" onClick={() => go({ name: "categories" })}>
              {t("continue")}
            </button>
          </>
        ) : (
          <>
            <button class="secondary" onClick={() => go({ name: "platforms", category })}>
              {t("chooseAnother")}
            </button>
            <button class="primary" onClick={() => go(outcome === "consentMissing" ? { name: "consent", category } : { name: "platforms", category })}>
              {t("tryAgain")}
            </button>
          </>
        )}
      </div>
    </section>
  );
}
