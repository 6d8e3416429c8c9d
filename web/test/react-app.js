// A React app using the package's React component, as an app written for
// Codat's React package would: built by the tests with React's names pointing
// at preact/compat. It mounts <CodatLink> inline, logs the callbacks as
// `link <name> <JSON>`, and unmounts it when #connect is pressed.
import { createElement } from "react";
import { createRoot } from "react-dom/client";

import { CodatLink } from "../link-sdk/react.js";

const log = (name, value) => console.log(`link ${name} ${JSON.stringify(value ?? null)}`);

const { companyId, accessToken } = await fetch("/link-session").then((r) => r.json());
const root = createRoot(document.getElementById("link"));
root.render(
  createElement(CodatLink, {
    companyId,
    accessToken,
    serviceUrl: "LINK_API",
    options: { nonModal: true, locale: "en" },
    onConnection: (connection) => log("onConnection", connection),
    onError: (error) => log("onError", error),
  }),
);
document.getElementById("connect").addEventListener("click", () => {
  root.unmount();
  log("unmounted");
});
