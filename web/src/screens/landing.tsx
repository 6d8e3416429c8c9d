import type { Journey } from "../journey";
import { Rich } from "../markdown";

/**
 * What the client asks for and why, before anything starts. An invited
 * colleague is told whose journey it is, and reads the inviter's message.
 */
export function Landing({ journey }: { journey: Journey }) {
  const { t, profile, go, host } = journey;
  const invited = host.invitation;
  return (
    <section>
      {invited ? (
        <>
          <h1 tabIndex={-1}>{t("invitedTitle", { company: invited.companyName, client: profile.name })}</h1>
          {invited.recipientName && <p>{t("invitedHello", { name: invited.recipientName })}</p>}
          <p>{t("invitedBody", { company: invited.companyName })}</p>
          {invited.message && (
            <figure class="card">
              <figcaption class="muted">{t("invitedMessage")}</figcaption>
              <blockquote>{invited.message}</blockquote>
            </figure>
          )}
        </>
      ) : (
        <>
          <h1 tabIndex={-1}>{t("landingTitle", { client: profile.name })}</h1>
          <Rich text={t("landingBody")} />
        </>
      )}
      <button class="primary" onClick={() => go({ name: "categories" })}>
        {t("start")}
      </button>
    </section>
  );
}
