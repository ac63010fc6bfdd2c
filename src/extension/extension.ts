/**
 * The VS Code layer. For now the extension contributes the topology file's JSON Schema
 * (validation and completion of *.netns.json in the text editor, see package.json); the canvas
 * editor, commands and views come with the next issues.
 */
import type * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // nothing to start: no command or view is contributed yet
}

export function deactivate(): void {}
