/** Small DOM helpers shared by the canvas app's modules. */

export function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

/** is the event aimed at something that edits text (so the canvas keys stay out of it)? */
export function fromEditable(e: Event): boolean {
  return e.composedPath().some((t) => {
    if (!(t instanceof HTMLElement)) return false;
    const tag = t.tagName;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || t.isContentEditable
      || tag === 'VSCODE-TEXTFIELD' || tag === 'VSCODE-TEXTAREA' || tag === 'VSCODE-SINGLE-SELECT';
  });
}
