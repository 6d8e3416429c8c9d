import { mountLink } from "@link-api/embedded-link";
import { useEffect, useRef } from "react";

/**
 * The journey as a React component. It mounts once per company and removes
 * itself on unmount; the latest callbacks are always the ones called.
 */
export function LinkJourney({ companyId, accessToken, serviceUrl, options, ...callbacks }) {
  const target = useRef(null);
  const latest = useRef(callbacks);
  latest.current = callbacks;
  useEffect(() => {
    const call = (name) => (...args) => latest.current[name]?.(...args);
    const handle = mountLink(target.current, {
      companyId,
      accessToken,
      serviceUrl,
      options,
      onConnection: call("onConnection"),
      onFinish: call("onFinish"),
      onClose: call("onClose"),
      onError: call("onError"),
    });
    return () => handle.destroy();
  }, [companyId, accessToken, serviceUrl]);
  return <div ref={target} />;
}
