// For a TypeScript app that imports the component by its URL, as the README's
// snippet does (`import { CodatLink } from "https://link.example.com/link/sdk.js"`):
// include this file in the app's project, with this package folder installed
// (`npm install ./link-sdk`, or its published name), and the URL import is typed.
declare module "*/link/sdk.js" {
  export * from "@link-api/embedded-link";
}
