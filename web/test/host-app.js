// A client's app for the tests: it mounts the component as the page's query
// asks (`?inline`, `?twice`, `?codat`: the class form with the company id
// alone, as an app written for Codat's Embedded Link does; `?reworded`: texts
// and data types of its own; `?codattexts`: Codat's current text keys;
// `?nonce`: the style nonce; `?banking`: that
// source type alone; `?codatclean`: Codat's clean-up in onClose; `?init`:
// Codat's initializeCodatLink; `?connections&company=…`: Codat's connections
// component for that company;
// `?hoststyle`: a page style that is inherited; `?tall`: a target 842 px
// high; `?inpage`: providers open in the page itself, as in a webview) and logs every callback, and any page error, as `link <name> <JSON>`,
// which the tests read from the console.
import { CodatConnections, CodatLink, initializeCodatLink, mountLink } from "LINK_API/link/sdk.js";

const query = new URLSearchParams(location.search);
const log = (name, value) => console.log(`link ${name} ${JSON.stringify(value ?? null)}`);

const session = fetch(`/link-session${query.has("company") ? `?company=${query.get("company")}` : ""}`).then((r) => r.json());
const props = {
  onConnectionStarted: (connection) => log("onConnectionStarted", connection),
  onConnection: (connection) => log("onConnection", connection),
  onConsent: (consent) => log("onConsent", consent),
  onFinish: () => log("onFinish"),
  onError: (error) => log("onError", error),
  onEvent: (name, metadata) => log("onEvent", { name, ...metadata }),
  options: query.has("inline") ? { nonModal: true, locale: "en" } : { locale: "en" },
};
if (query.has("reworded")) {
  props.options.text = {
    companyName: "Northwind Finance",
    "landing.title": "Share your books with Northwind",
    "accounting.dataAccess.consent": "We only read the invoices and bills you choose to share.",
    "accounting.purpose": "To work out the size of your loan.",
  };
  props.options.sourceTypes = { accounting: { dataTypes: ["invoices", "bills"] } };
}
if (query.has("codattexts")) {
  // The keys of Codat's current component types.
  props.options.text = {
    "landing.nextButton": "Let's begin",
    "accounting.consents.title": "Your books, shared with care",
    "accounting.consents.subtitle": "Read this before you **agree**.",
    "accounting.consents.purpose": "To size your loan.",
    "accounting.consents.access": "Read only, never changed.",
    "accounting.consents.accountInformation": "Only the accounts you pick.",
    "accounting.consents.retention": "Until you withdraw.",
    "accounting.consents.nextButton": "Share my books",
    "accounting.consents.termsAndConditions": "See our [terms](https://example.com/terms).",
  };
}
if (query.has("nonce")) props.options.nonce = "link-test-nonce";
if (query.has("inpage")) props.options.authorizeIn = "page";
if (query.has("banking")) props.options.sourceTypes = { banking: {} };
const target = document.getElementById("link");
if (!query.has("inline")) props.onClose = () => log("onClose");
if (query.has("codatclean")) {
  // Codat's documented clean-up: the app removes the component itself.
  props.onClose = () => {
    log("onClose");
    target.removeChild(target.children[0]);
  };
}
if (query.has("hoststyle")) {
  // A sample's page style, inherited by everything in the body.
  const style = document.createElement("style");
  style.nonce = "link-test-nonce";
  style.textContent = "body { font-size: calc(10px + 2vmin); text-align: center }";
  document.head.appendChild(style);
}
if (query.has("tall")) target.style.height = "842px";
window.addEventListener("error", (event) => log("pageError", event.message));

async function start() {
  const { companyId, accessToken } = await session;
  if (query.has("codat")) {
    new CodatLink({ target, props: { ...props, companyId } }).ready.then(() => log("ready"));
  } else if (query.has("connections")) {
    // Codat's connections component takes the token alone.
    const callbacks = { onDisconnect: (c) => log("onDisconnect", c), onReconnect: (c) => log("onReconnect", c), onClose: props.onClose, onError: props.onError };
    new CodatConnections({ target, props: { accessToken, ...callbacks, options: { locale: "en" } } }).ready.then(() => log("ready"));
  } else if (query.has("init")) {
    initializeCodatLink(target, { ...props, companyId, accessToken }).ready.then(() => log("ready"));
  } else {
    mountLink(target, { ...props, companyId, accessToken }).ready.then(() => log("ready"));
  }
}
document.getElementById("connect").addEventListener("click", start);
if (query.has("inline")) start();
if (query.has("twice")) start().then(start);
