// The same import, used wrongly: the types must catch it.
import { CodatLink } from "https://link.example.com/link/sdk.js";

new CodatLink({ target: document.body, props: { company: "c" } });
