// The examples' back end, in one function: find a company for the visitor
// (here: make one) and get its company token with the API key. The key stays
// on the server; the page only ever sees the company token.

export async function linkSession(service, apiKey) {
  const call = async (method, path, body) => {
    const response = await fetch(service + path, {
      method,
      headers: { Authorization: `Bearer ${apiKey}`, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const company = await call("POST", "/companies", { name: "Example customer" });
  const { accessToken } = await call("GET", `/companies/${company.id}/accessToken`);
  return { companyId: company.id, accessToken };
}

/** The settings every example reads from its environment. */
export function settings() {
  const apiKey = process.env.LINK_API_KEY;
  if (!apiKey) throw new Error("Set LINK_API_KEY to an API key of your Link API (see the README).");
  return { service: process.env.LINK_API_URL ?? "http://localhost:8080", apiKey };
}
