// The page a provider's popup ends on: it tells the journey that opened it
// how the authorization ended, only if that journey is on the origin the
// server named (an origin of the client's CORS settings), then closes.

interface Report {
  connectionId: string;
  statusCode: string;
  statusText: string;
  origin: string;
}

const meta = document.querySelector<HTMLMetaElement>('meta[name="link-api-authorization"]');
if (meta && window.opener) {
  const report = JSON.parse(meta.content) as Report;
  const { origin, ...outcome } = report;
  (window.opener as Window).postMessage({ type: "link-api:authorization", ...outcome }, origin);
  window.close();
}
