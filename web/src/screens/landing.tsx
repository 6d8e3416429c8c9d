import type { Journey } from "../journey";
import { Rich } from "../markdown";

/** What the client asks for and why, before anything starts. */
export function Landing({ journey }: { journey: Journey }) {
  const { t, profile, go } = journey;
  return (
    <section>
      <h1 tabIndex={-1}>{t("landingTitle", { client: profile.name })}</h1>
      <Rich text={t("landingBody")} />
      <button class="primary" onClick={() => go({ name: "categories" })}>
        {t("start")}
      </button>
    </section>
  );
}
