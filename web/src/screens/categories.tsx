import type { CategoryStatus } from "../api";
import type { Journey } from "../journey";
import { Rich } from "../markdown";

function state(category: CategoryStatus): "statusLinked" | "statusConsented" | "statusNotStarted" {
  if (category.linked) return "statusLinked";
  return category.consented ? "statusConsented" : "statusNotStarted";
}

/** Each category offered, required or optional, with where it stands. */
export function Categories({ journey }: { journey: Journey }) {
  const { t, status, go } = journey;
  const start = (category: CategoryStatus) => {
    journey.host.emit("category_selected", { category: category.category, required: category.required });
    go(category.consented || !status.consentRequired ? { name: "platforms", category: category.category } : { name: "consent", category: category.category });
  };
  return (
    <section>
      <h1 tabIndex={-1}>{t("categoriesTitle")}</h1>
      <Rich text={t("categoriesBody")} />
      <ul class="categories">
        {status.categories.map((category) => (
          <li key={category.category} class="card">
            <div>
              <h2>{t(category.category)}</h2>
              <p class="muted">
                <span class={category.required ? "badge required" : "badge"}>{category.required ? t("required") : t("optional")}</span>{" "}
                <span class={category.linked ? "linked" : ""}>{t(state(category))}</span>
              </p>
            </div>
            <div class="category-actions">
              {!(category.linked && category.category === "accounting") && (
                <button class={category.linked ? "secondary" : "primary"} onClick={() => start(category)}>
                  {category.linked ? t("connectAnother") : t("connect")}
                  <span class="visually-hidden"> {t(category.category)}</span>
                </button>
              )}
              {!category.linked && !journey.invitee && (
                <button class="link" onClick={() => go({ name: "invite", category: category.category })}>
                  {t("inviteLinkLabel")}
                  <span class="visually-hidden"> ({t(category.category)})</span>
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      <button class="primary wide" disabled={!status.complete} aria-describedby={status.complete ? undefined : "finish-hint"} onClick={() => go({ name: "done" })}>
        {t("finish")}
      </button>
      {!status.complete && (
        <p id="finish-hint" class="muted">
          {t("finishHint")}
        </p>
      )}
    </section>
  );
}
