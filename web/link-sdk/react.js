// The component as a React component, for apps that used Codat's React
// package: `<CodatLink companyId=… onConnection=… />` mounts the journey into
// a box of its own once, and removes it when the component unmounts. Props are
// read when it mounts (the journey does not follow later changes).
import { createElement, useEffect, useRef } from "react";

import { initializeCodatLink } from "./index.js";

/** The box the journey fills: the size the modal has at most. */
const BOX = { width: "460px", height: "840px", maxHeight: "95%" };

export function CodatLink(props) {
  const target = useRef(null);
  useEffect(() => {
    const handle = initializeCodatLink(target.current, props);
    return () => handle.destroy();
    // Once, with the props it started with.
  }, []);
  return createElement("div", { ref: target, style: BOX });
}
