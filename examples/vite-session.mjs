// A Vite plugin that gives the React and Vue examples their back end: the
// dev server answers /link-session as plain/server.mjs does.
import { linkSession, settings } from "./session.mjs";

export function linkSessionPlugin() {
  return {
    name: "link-session",
    configureServer(server) {
      server.middlewares.use("/link-session", async (_request, response) => {
        try {
          const { service, apiKey } = settings();
          response.setHeader("content-type", "application/json");
          response.end(JSON.stringify({ ...(await linkSession(service, apiKey)), serviceUrl: service }));
        } catch (error) {
          response.statusCode = 500;
          response.end(String(error));
        }
      });
    },
  };
}
