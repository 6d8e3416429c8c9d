// Style sheets: bundled by esbuild into dist/hosted.css for the hosted page,
// and imported as text by the component, whose shadow root adopts them.
declare module "*.css" {
  const text: string;
  export default text;
}
