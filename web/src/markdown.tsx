// Markdown-lite for the client's own texts: paragraphs (a blank line),
// **bold** and [links](https://…), and nothing else. It builds elements,
// never HTML, so no text of a client's can inject markup or script.

import type { ComponentChildren } from "preact";

const INLINE = /\*\*([^*]+)\*\*|\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g;

function inline(text: string): ComponentChildren[] {
  const parts: ComponentChildren[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    const at = match.index ?? 0;
    if (at > last) parts.push(text.slice(last, at));
    if (match[1] !== undefined) {
      parts.push(<strong>{match[1]}</strong>);
    } else {
      parts.push(
        <a href={match[3]} target="_blank" rel="noopener noreferrer">
          {match[2]}
        </a>,
      );
    }
    last = at + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** A text as paragraphs, with bold and links. */
export function Rich({ text }: { text: string }) {
  return (
    <>
      {text
        .split(/\n\s*\n/)
        .filter((paragraph) => paragraph.trim())
        .map((paragraph, i) => (
          <p key={i}>{inline(paragraph.trim())}</p>
        ))}
    </>
  );
}
