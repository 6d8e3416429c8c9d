import { useRef, useState } from "preact/hooks";

import { ApiError, connectionEvent, type Category, type Integration } from "../api";
import { fieldMessage } from "../i18n";
import type { Journey } from "../journey";

/** The integration's credential form: labels, types, masked secrets, and each field's error from the answer. */
export function Credentials({ journey, category, integration }: { journey: Journey; category: Category; integration: Integration }) {
  const { t, api, profile, status, go, fail, refresh } = journey;
  const form = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const problemShown = useRef<HTMLParagraphElement>(null);
  const fields = integration.credentialFields ?? [];

  const submit = async (event: Event) => {
    event.preventDefault();
    const element = form.current;
    if (!element) return;
    const values: Record<string, string> = {};
    const missing: Record<string, string> = {};
    for (const field of fields) {
      const value = (element.elements.namedItem(field.name) as HTMLInputElement).value;
      if (field.required && !value) missing[field.name] = t("fieldRequired");
      else if (value && field.pattern && !new RegExp(field.pattern).test(value)) missing[field.name] = t("fieldPattern");
      if (value) values[field.name] = value;
    }
    setErrors(missing);
    setProblem(undefined);
    if (Object.keys(missing).length > 0) {
      element.querySelector<HTMLInputElement>("[aria-invalid=true]")?.focus();
      return;
    }
    setBusy(true);
    try {
      const connection = await api.connectionFor(status, category, integration.key);
      journey.host.emit("authorization_started", { connection: connectionEvent(connection) });
      const linked = await api.authorize(connection.id, values);
      // Nothing typed stays in the page once it is sent.
      element.reset();
      await refresh();
      // Without the client's verifier, the details are saved, not known to work: the customer is told so.
      go({ name: "result", category, platform: integration.name, outcome: "linked", connection: linked, unchecked: !integration.credentialsChecked });
    } catch (error) {
      setBusy(false);
      // The connection made for this attempt is used again by the next one.
      await refresh().catch(() => undefined);
      if (!(error instanceof ApiError) || error.body.canBeRetried !== "No") return fail(error, () => form.current?.requestSubmit());
      const byField: Record<string, string> = {};
      for (const item of error.body.validation?.errors ?? []) byField[item.itemId] = fieldMessage(item, t);
      setErrors(byField);
      setProblem(error.body.error);
      // The focus goes to the first field to fix, or to what was said.
      requestAnimationFrame(() => (form.current?.querySelector<HTMLElement>("[aria-invalid=true]") ?? problemShown.current)?.focus());
    }
  };

  return (
    <section>
      <h1 tabIndex={-1}>{t("credentialsTitle", { platform: integration.name })}</h1>
      <p class="muted">{t("credentialsBody", { client: profile.name })}</p>
      {problem && (
        <p role="alert" class="problem" tabIndex={-1} ref={problemShown}>
          {problem}
        </p>
      )}
      <form ref={form} onSubmit={submit} noValidate autocomplete="off">
        {fields.map((field) => {
          const error = errors[field.name];
          const errorId = `error-${field.name}`;
          return (
            <div class="field" key={field.name}>
              <label for={`field-${field.name}`}>{field.label}</label>
              <input
                id={`field-${field.name}`}
                name={field.name}
                type={(field.secret ? "password" : field.type === "url" ? "url" : "text") as "text"}
                required={field.required}
                aria-invalid={error ? "true" : undefined}
                aria-describedby={error ? errorId : undefined}
                spellcheck={false}
                autocapitalize="off"
              />
              {error && (
                <p id={errorId} class="field-error" role="alert">
                  {error}
                </p>
              )}
            </div>
          );
        })}
        <div class="actions">
          <button type="button" class="secondary" onClick={() => go({ name: "platforms", category })}>
            {t("chooseAnother")}
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? t("connecting") : t("submit")}
          </button>
        </div>
      </form>
    </section>
  );
}
