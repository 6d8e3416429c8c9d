import type { Journey } from "../journey";
import { Rich } from "../markdown";

/** What was connected, and the way back to the client (its redirect URL, filled by the server). */
export function Done({ journey }: { journey: Journey }) {
  const { t, status, host } = journey;
  const linked = status.categories.filter((c) => c.linked);
  const finish = () => {
    host.emit("finished");
    host.finish();
  };
  return (
    <section>
      <h1 tabIndex={-1}>{t("doneTitle")}</h1>
      <Rich text={t("doneBody")} />
      <ul class="summary">
        {linked.map((category) => (
          <li key={category.category}>{t(category.category)}</li>
        ))}
      </ul>
      <button class="primary wide" onClick={finish}>
        {t("continue")}
      </button>
    </section>
  );
}
