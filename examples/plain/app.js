// app.js, served by your site. Your back end finds or creates the company and gets its token
// from GET /companies/{companyId}/accessToken with your API key; /link-session stands for that.
import { mountLink } from "http://localhost:8080/link/sdk.js";

document.getElementById("connect").addEventListener("click", async () => {
  const { companyId, accessToken } = await fetch("/link-session").then((r) => r.json());
  mountLink(document.getElementById("link"), {
    companyId,
    accessToken,
    onConnection: (connection) => console.log("onConnection", connection),
    onFinish: () => console.log("onFinish"),
    onClose: () => console.log("onClose"),
    onError: (error) => console.log("onError", error),
  });
});
