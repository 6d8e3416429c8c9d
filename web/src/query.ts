// The hosted page's query string: custom values and the outcome of a hand-off.

/** The outcome of a hand-off, as the hosted page's query string receives it. */
const OUTCOME_PARAMS = ["connectionId", "statusCode", "statusText"];

/**
 * The query string the journey carries on: the custom values the hosted URL
 * was opened with (they fill the client's redirect URL at the end), without
 * the outcome of a hand-off.
 */
export function carried(query: URLSearchParams): string {
  const kept = new URLSearchParams(query);
  for (const name of OUTCOME_PARAMS) kept.delete(name);
  const text = kept.toString();
  return text ? `?${text}` : "";
}
