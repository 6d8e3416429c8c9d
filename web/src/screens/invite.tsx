import { useRef, useState } from "preact/hooks";

import { ApiError, type Category, type Invitation } from "../api";
import { fieldMessage } from "../i18n";
import type { Journey } from "../journey";

/**
 * Someone else has the password: an invitation for a colleague, limited to
 * this category. Or, on a phone, the same journey sent to the customer's own
 * computer (an invitation to themselves).
 */
export function Invite({ journey, category, toMyself }: { journey: Journey; category: Category; toMyself: boolean }) {
  const { t, api, go, fail, locale } = journey;
  const form = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [made, setMade] = useState<Invitation>();
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const element = form.current;
    if (!element) return;
    const value = (name: string) => (element.elements.namedItem(name) as HTMLInputElement | null)?.value.trim() || undefined;
    // An invitation says whom it is for: at least a name or an address (an address to send it to oneself).
    if (!value("email") && (toMyself || !value("name"))) {
      setErrors({ email: toMyself ? t("toMyselfWho") : t("inviteWho") });
      (element.elements.namedItem("email") as HTMLInputElement | null)?.focus();
      return;
    }
    setBusy(true);
    try {
      const message = toMyself ? t("toMyselfMessage") : value("message");
      const invitation = await api.invite([category], { name: value("name"), email: value("email") }, message, locale);
      journey.host.emit("invitation_sent", { invitationId: invitation.id, categories: invitation.categories });
      setMade(invitation);
    } catch (error) {
      setBusy(false);
      if (!(error instanceof ApiError) || error.body.canBeRetried !== "No") return fail(error, () => form.current?.requestSubmit());
      const byField: Record<string, string> = {};
      for (const item of error.body.validation?.errors ?? []) byField[item.itemId.replace("recipient.", "")] = fieldMessage(item, t);
      setErrors(Object.keys(byField).length ? byField : { form: error.body.error });
    }
  };

  if (made) {
    const emailed = made.email && made.recipientEmail;
    return (
      <section>
        <h1 tabIndex={-1}>{t("inviteReady")}</h1>
        <p>
          {emailed
            ? t("inviteEmailed", { email: made.recipientEmail ?? "" })
            : toMyself
              ? t("toMyselfReady")
              : t("inviteReadyBody", t.about(category))}
        </p>
        <label class="field">
          <span>{t("inviteLink")}</span>
          <input readOnly value={made.shareUrl} onFocus={(e) => e.currentTarget.select()} />
        </label>
        <div class="actions">
          <button
            class="secondary"
            onClick={() =>
              navigator.clipboard?.writeText(made.shareUrl).then(
                () => setCopied(true),
                () => setCopied(false),
              )
            }
          >
            <span aria-live="polite">{copied ? t("copied") : t("copyLink")}</span>
          </button>
          {!emailed && (
            <a class="button secondary" href={made.mailtoUrl}>
              {t("inviteByEmail")}
            </a>
          )}
          <button class="primary" onClick={() => go({ name: "categories" })}>
            {t("continue")}
          </button>
        </div>
      </section>
    );
  }
  const field = (name: "name" | "email" | "message", label: string, type = "text") => (
    <div class="field">
      <label for={`invite-${name}`}>{label}</label>
      {name === "message" ? (
        <textarea id={`invite-${name}`} name={name} rows={3} maxLength={1000} aria-invalid={errors[name] ? "true" : undefined} aria-describedby={errors[name] ? `invite-${name}-error` : undefined} />
      ) : (
        <input id={`invite-${name}`} name={name} type={type as "text"} aria-invalid={errors[name] ? "true" : undefined} aria-describedby={errors[name] ? `invite-${name}-error` : undefined} />
      )}
      {errors[name] && (
        <p id={`invite-${name}-error`} class="field-error" role="alert">
          {errors[name]}
        </p>
      )}
    </div>
  );
  return (
    <section>
      <h1 tabIndex={-1}>{toMyself ? t("toMyselfTitle") : t("inviteTitle", t.about(category))}</h1>
      <p class="muted">{toMyself ? t("toMyselfBody") : t("inviteBody")}</p>
      {errors.form && (
        <p role="alert" class="problem">
          {errors.form}
        </p>
      )}
      <form ref={form} onSubmit={submit} noValidate>
        {!toMyself && field("name", t("inviteName"))}
        {field("email", toMyself ? t("toMyselfEmail") : t("inviteEmail"), "email")}
        {!toMyself && field("message", t("inviteMessage"))}
        <div class="actions">
          <button type="button" class="secondary" onClick={() => go({ name: "categories" })}>
            {t("back")}
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {t("inviteSubmit")}
          </button>
        </div>
      </form>
    </section>
  );
}
