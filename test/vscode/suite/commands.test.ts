/// <reference types="mocha" />
/** The Netns commands: all registered; Show Plan is a read-only dry run. */
import * as assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import * as vscode from 'vscode';
import { EXTENSION_ID, activate, closeAll, waitFor, workspaceFile } from './util.js';

suite('commands', () => {
  suiteSetup(activate);
  teardown(closeAll);

  test('every contributed Netns command is registered', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed = ((ext.packageJSON as { contributes?: { commands?: { command: string; category?: string }[] } }).contributes?.commands ?? []);
    assert.ok(contributed.length >= 7, 'package.json contributes the Netns commands');
    for (const c of contributed) assert.equal(c.category, 'Netns', `${c.command} is in the Netns category`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], 'contributed but not registered');
    for (const id of ['netnsLab.newTopology', 'netnsLab.validate', 'netnsLab.showPlan', 'netnsLab.apply', 'netnsLab.destroy', 'netnsLab.exportScript', 'netnsLab.exportImage']) {
      assert.ok(registered.has(id), `${id} is registered`);
    }
  });

  test('Show Plan opens a read-only document with the dry run', async () => {
    const uri = workspaceFile('article.netns.json');
    await vscode.commands.executeCommand('vscode.open', uri);
    await vscode.commands.executeCommand('netnsLab.showPlan', uri);
    const editor = await waitFor('the plan editor', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'netns-lab-plan'), 30_000);
    const text = editor.document.getText();
    // a shell script: the shebang on line 1, once (issue 15: it was on line 2)
    assert.match(text, /^#!\/bin\/bash\n# Plan for 'article'/);
    assert.equal(text.split('\n').filter((l) => l.startsWith('#!')).length, 1);
    assert.match(text, /dry run, nothing was changed/);
    // the sandbox has none of it yet: the plan creates the namespaces and the bridge
    assert.match(text, /ns1/);
    assert.match(text, /br0/);
    // read-only: typing into the focused plan editor changes nothing
    await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, preserveFocus: false });
    await vscode.commands.executeCommand('type', { text: 'x' });
    await vscode.commands.executeCommand('deleteLeft');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(editor.document.getText(), text, 'the plan document must not be editable');
    assert.equal(editor.document.isDirty, false);
    assert.equal(vscode.workspace.fs.isWritableFileSystem('netns-lab-plan'), undefined, 'no file system behind the plan');
  });

  test('Export as Script writes an executable script with its shebang on line 1, opens it and says so', async () => {
    const uri = workspaceFile('article.netns.json');
    const script = workspaceFile('article.sh');
    try {
      await vscode.commands.executeCommand('netnsLab.exportScript', uri);
      const editor = await waitFor('the script editor', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === script.toString()), 30_000);
      assert.match(editor.document.getText(), /^#!\/bin\/bash\n/);
      assert.equal(statSync(script.fsPath).mode & 0o777, 0o755, 'executable (0755)');
    } finally {
      await vscode.workspace.fs.delete(script).then(undefined, () => undefined);
    }
  });
});
