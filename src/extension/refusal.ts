/**
 * Long refusals shown in full: a notification cuts its text, so a message longer than a line
 * gets a short notification with "Show Details", which opens a modal with the whole text; the
 * text is also kept in the "Netns Lab" output channel.
 */
import * as vscode from 'vscode';

/** above this many characters (or with a detail), the notification is shortened */
export const SHORT = 160;

let channel: vscode.OutputChannel | undefined;

function output(): vscode.OutputChannel {
  channel ??= vscode.window.createOutputChannel('Netns Lab');
  return channel;
}

/** the first sentence (or SHORT characters) of a long text */
export function shortened(text: string): string {
  if (text.length <= SHORT) return text;
  const cut = text.slice(0, SHORT);
  const stop = Math.max(cut.lastIndexOf(': '), cut.lastIndexOf('; '), cut.lastIndexOf('. '));
  return `${(stop > 40 ? cut.slice(0, stop) : cut).trimEnd()} …`;
}

/** an error: in full when it is short, else shortened with "Show Details" (a modal with everything) */
export async function showRefusal(message: string, detail = ''): Promise<void> {
  const full = detail ? `${message}\n${detail}` : message;
  output().appendLine(`[${new Date().toISOString()}] ${full}`);
  if (!detail && message.length <= SHORT) { await vscode.window.showErrorMessage(message); return; }
  const a = await vscode.window.showErrorMessage(shortened(message), 'Show Details');
  if (a === 'Show Details') await vscode.window.showErrorMessage(shortened(message), { modal: true, detail: full }, 'OK');
}
