import { useEffect } from "preact/hooks";

import { connectionEvent, type Category, type Connection } from "../api";
import type { Journey } from "../journey";

export type Outcome = "linked" | "cancelled" | "consentMissing" | "failed";

/** How an authorization ended, from the `statusCode` and `statusText` a provider's return carries. */
export function outcomeOf(statusCode: string | null, statusText: string | null): Outcome {
  if (statusCode === "200" || statusCode === "201") return "linked";
  if (statusCode === "403") return statusText === "ConsentRequired" ? "consentMissing" : "cancelled";
  return "failed";
}

/** How an authorization ended, with the ways on: back to the categories, try again, or another platform. */
export function Result({
  journey,
  category,
  platform,
  outcome,
  connection,
  unchecked,
}: {
  journey: Journey;
  category: Category;
  platform: string;
  outcome: Outcome;
  connection?: Connection;
  unchecked?: boolean;
}) {
  const { t, go, host, profile, status } = journey;
  const linked = outcome === "linked";
  useEffect(() => {
    const detail = connection ? { connection: connectionEvent(connection) } : {};
    if (linked) host.emit("connected", detail);
    else host.emit("failed", { ...detail, outcome, message: t(outcome, { platform }), userRecoverable: true });
  }, []);
  return (
    <section>
      <h1 tabIndex={-1}>{!linked ? t("notConnected", { platform }) : unchecked ? t("savedTitle", { platform }) : t("linked", { platform })}</h1>
      {linked && unchecked && <p>{t("savedBody", { client: profile.name })}</p>}
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
            {status.complete ? (
              // Nothing required is left: the way out is one click away, the rest stays within reach.
              <>
                <button class="secondary" onClick={() => go({ name: "categories" })}>
                  {t("connectMore")}
                </button>
                <button class="primary" onClick={() => go({ name: "done" })}>
                  {t("finish")}
                </button>
              </>
            ) : (
              <button class="primary" onClick={() => go({ name: "categories" })}>
                {t("continue")}
              </button>
            )}
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
