import { useState } from "react";

import { LinkJourney } from "./LinkJourney.jsx";

export function App() {
  const [session, setSession] = useState();
  const [connected, setConnected] = useState([]);
  const open = async () => setSession(await fetch("/link-session").then((r) => r.json()));
  return (
    <main>
      <h1>Acme app</h1>
      <button onClick={open}>Connect your accounts</button>
      <ul>
        {connected.map((c) => (
          <li key={c.connectionId}>{c.platformName} is connected</li>
        ))}
      </ul>
      {session && (
        <LinkJourney
          {...session}
          onConnection={(connection) => setConnected((all) => [...all, connection])}
          onFinish={() => setSession(undefined)}
          onClose={() => setSession(undefined)}
          onError={(error) => console.error(error.message)}
        />
      )}
    </main>
  );
}
