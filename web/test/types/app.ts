// An app written for Codat's component, importing Link API's by its URL.
import { CodatConnections, CodatLink, initializeCodatLink, type LinkError } from "https://link.example.com/link/sdk.js";

const target = document.createElement("div");
const onError = (error: LinkError) => console.error(error.errorCode satisfies number | undefined, error.message);
new CodatLink({ target, props: { companyId: "c", onError, onConsent: ({ text }) => console.log(text.toUpperCase()) } });
initializeCodatLink(target, { companyId: "c", options: { sourceTypes: { banking: {} } } }).ready.then(() => {});
new CodatConnections({ target, props: { accessToken: "t", onDisconnect: (connection) => console.log(connection.platformName) } });
