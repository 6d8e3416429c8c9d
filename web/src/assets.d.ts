// Style sheets are bundled by esbuild into dist/hosted.css.
declare module "*.css";
