import { useEffect, useId, useRef } from "preact/hooks";

/**
 * A question asked before something that cannot be taken back: a modal
 * dialog (the page behind is inert, Tab stays inside, Escape answers no, and
 * the focus goes back where it was). The safe answer has the focus first;
 * a yes that destroys something (`danger`) is styled as such.
 */
export function Confirm(props: { title: string; body: string; yes: string; no: string; danger?: boolean; onYes(): void; onNo(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const title = useId();
  const body = useId();
  useEffect(() => {
    const opener = document.activeElement;
    const shown = dialog.current;
    shown?.showModal();
    return () => {
      shown?.close();
      // The dialog may leave the page before it closes, so the focus is put back here.
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={dialog}
      class="confirm"
      aria-labelledby={title}
      aria-describedby={body}
      onCancel={(event) => {
        event.preventDefault();
        props.onNo();
      }}
    >
      <h2 id={title}>{props.title}</h2>
      <p id={body}>{props.body}</p>
      <div class="actions">
        <button class="secondary" onClick={props.onNo}>
          {props.no}
        </button>
        <button class={props.danger ? "danger" : "primary"} onClick={props.onYes}>
          {props.yes}
        </button>
      </div>
    </dialog>
  );
}
