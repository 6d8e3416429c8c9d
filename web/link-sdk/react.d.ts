// The React component of `react.js`: the same props as the module's `mountLink`.
import type { LinkProps } from "./index";

/** Mounts the journey once, into a box of 460 × 840 at most, and removes it on unmount. */
export declare function CodatLink(props: LinkProps): unknown;
