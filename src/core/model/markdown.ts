/**
 * Untrusted text (kernel interface names, namespace names, aliases, addresses read from the
 * machine) shown inside Markdown, e.g. the tree views' hovers. Names from the kernel may hold
 * almost any byte (a namespace name is any file name under /run/netns): escaped here, such text
 * renders as itself, never as a link, an image, HTML, an entity, a theme icon or formatting.
 * Pure: no vscode import.
 */

/** one line of literal text for Markdown: every ASCII punctuation backslash-escaped, control characters shown as \uXXXX */
export function markdownText(s: string): string {
  return s
    .replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`)
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
