import { useEffect, useState } from "preact/hooks";

import type { Category, Integration } from "../api";
import type { Journey } from "../journey";

/** How often the page asks whether the connector has linked the connection. */
const POLL_MS = 3000;

/**
 * A desktop connector's wait: the platform is linked by a program on the
 * customer's computer, not in the browser, so the page says what to do there
 * and follows the connection until the connector has linked it.
 */
export function Desktop({ journey, category, integration, connectionId }: { journey: Journey; category: Category; integration: Integration; connectionId: string }) {
  const { t, api, go, fail, refresh } = journey;
  const platform = integration.name;
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    const check = async () => {
      const connection = await api.connection(connectionId);
      if (stopped) return;
      if (connection.status === "Linked") {
        await refresh();
        go({ name: "result", category, platform, outcome: "linked", connection });
      } else {
        poll();
      }
    };
    // A failed check is said, and Try again (or the connection coming back) polls again.
    const poll = () => {
      timer = window.setTimeout(() => check().catch((error) => fail(error, poll)), POLL_MS);
    };
    poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [connectionId]);

  const copy = async () => {
    await navigator.clipboard.writeText(connectionId);
    setCopied(true);
  };
  return (
    <section>
      <h1 tabIndex={-1}>{t("desktopTitle", { platform })}</h1>
      <p>{t("desktopBody", { platform })}</p>
      <ol class="steps">
        <li>
          {t("desktopStep1", { platform })}
          {integration.desktopConnectorUrl && (
            <p>
              <a href={integration.desktopConnectorUrl} target="_blank" rel="noopener noreferrer">
                {t("desktopDownload", { platform })}
              </a>
            </p>
          )}
        </li>
        <li>
          {t("desktopStep2")}
          <div class="reference">
            <code>{connectionId}</code>
            <button class="secondary" onClick={() => copy().catch(() => setCopied(false))}>
              {copied ? t("copied") : t("copy")}
            </button>
          </div>
        </li>
        <li>{t("desktopStep3")}</li>
      </ol>
      <p role="status" class="muted">
        {t("desktopWaiting")}
      </p>
      <button class="secondary" onClick={() => go({ name: "platforms", category })}>
        {t("chooseAnother")}
      </button>
    </section>
  );
}
