import { useRef, useState } from "preact/hooks";

import { ApiError } from "../api";
import { fieldMessage } from "../i18n";
import type { Journey } from "../journey";

/**
 * The customer left for now. Where Link API emails the client's reminders
 * and this company is still reminded, they may give the address a reminder
 * should go to: only where the journey proves it is the customer's (a
 * signed link, or a token from the client's back end), never to an invited
 * colleague or to whoever opened the bare company URL.
 */
export function Left({ journey }: { journey: Journey }) {
  const { t, api, go, fail, settings, status } = journey;
  const [email, setEmail] = useState("");
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState<string>();
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const offered =
    !journey.invitee && journey.host.proven === true && !status.complete && settings.reminders?.enabled === true && settings.reminders.sendEmails && status.reminders?.enabled === true;

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const reminders = await api.remindAt(email.trim());
      setSaved(reminders.email);
      setError(undefined);
    } catch (problem) {
      if (!(problem instanceof ApiError) || problem.body.canBeRetried !== "No") return fail(problem, () => form.current?.requestSubmit());
      const field = problem.body.validation?.errors?.[0];
      setError(field ? fieldMessage(field, t) : problem.body.error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h1 tabIndex={-1}>{t("leftTitle")}</h1>
      <p>{t("leftBody")}</p>
      {offered && !saved && (
        <form ref={form} onSubmit={submit} noValidate>
          <div class="field">
            <label for="remind-email">{t("remindEmail")}</label>
            <p class="muted" id="remind-hint">
              {t("remindHint")}
            </p>
            <input
              id="remind-email"
              type="email"
              autoComplete="email"
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
              aria-invalid={error ? "true" : undefined}
              aria-describedby={error ? "remind-hint remind-error" : "remind-hint"}
            />
            {error && (
              <p id="remind-error" class="field-error" role="alert">
                {error}
              </p>
            )}
          </div>
          <div class="actions">
            <button type="submit" class="primary" disabled={busy}>
              {t("remindMe")}
            </button>
          </div>
        </form>
      )}
      {saved && <p role="status">{t("remindSaved", { email: saved })}</p>}
      <button class="secondary" onClick={() => go({ name: "categories" })}>
        {t("resume")}
      </button>
    </section>
  );
}
