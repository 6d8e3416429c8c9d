// The hosted page's query string: custom values and the outcome of a hand-off.

/** What the query string carries that is not a custom value: the outcome of a hand-off, and credentials used up on arrival. */
const NOT_CARRIED = ["connectionId", "statusCode", "statusText", "link", "invitation", "linkConsent"];

/**
 * The query string the journey carries on: the custom values the hosted URL
 * was opened with (they fill the client's redirect URL at the end), without
 * the outcome of a hand-off or a signed link's or invitation's token.
 */
export function carried(query: URLSearchParams): string {
  const kept = new URLSearchParams(query);
  for (const name of NOT_CARRIED) kept.delete(name);
  const text = kept.toString();
  return text ? `?${text}` : "";
}
