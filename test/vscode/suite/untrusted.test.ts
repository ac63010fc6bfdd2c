/// <reference types="mocha" />
/**
 * Restricted mode (an untrusted workspace): the canvas still opens, Apply is refused before
 * anything runs. The runner points netnsLab.helperPath at a fake helper that only records that
 * it was started (NETNS_LAB_HELPER_MARK), so "refused" is observable.
 */
import * as assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import * as vscode from 'vscode';
import { EXTENSION_ID, activate, closeAll, sleep, waitCanvasTab, waitFor, workspaceFile } from './util.js';

suite('untrusted workspace', () => {
  const mark = process.env.NETNS_LAB_HELPER_MARK!;
  suiteSetup(async () => {
    assert.ok(mark, 'the runner sets NETNS_LAB_HELPER_MARK');
    await activate();
  });
  teardown(closeAll);

  test('the workspace is not trusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  test('the canvas opens in restricted mode', async () => {
    const uri = workspaceFile('article.netns.json');
    await vscode.commands.executeCommand('vscode.open', uri);
    await waitCanvasTab(uri);
  });

  test('Apply is refused: the helper is never started', async () => {
    rmSync(mark, { force: true });
    const uri = workspaceFile('article.netns.json');
    await vscode.commands.executeCommand('netnsLab.apply', uri).then(undefined, () => undefined);
    await sleep(500); // (a helper would be spawned right away; give it the chance)
    assert.equal(existsSync(mark), false, 'Apply started the privileged helper in an untrusted workspace');
    await vscode.commands.executeCommand('netnsLab.destroy', uri).then(undefined, () => undefined);
    await sleep(500);
    assert.equal(existsSync(mark), false, 'Destroy started the privileged helper in an untrusted workspace');
  });

  test('(control) the fake helper is what a helper request would start', async () => {
    rmSync(mark, { force: true });
    const uri = workspaceFile('article.netns.json');
    // Show Plan is a dry run and allowed here: it starts the (fake) helper, which then fails
    await vscode.commands.executeCommand('netnsLab.showPlan', uri).then(undefined, () => undefined);
    await waitFor('the fake helper to be started by Show Plan', () => existsSync(mark), 15_000);
  });

  test('a lab across hosts: Show Plan makes no ssh connection (the file names where it would go)', async () => {
    const testing = (vscode.extensions.getExtension(EXTENSION_ID)!.exports as { multiHostTesting: { connect?: (h: { name: string }) => Promise<never> } }).multiHostTesting;
    const asked: string[] = [];
    testing.connect = async (h) => { asked.push(h.name); throw new Error('not here'); };
    const uri = workspaceFile('mh-untrusted.netns.json');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify({
      version: 1, name: 'mhu', hosts: [{ name: 'b', ssh: 'root@192.0.2.2' }], namespaces: [{ name: 'r1', on: 'b' }],
    })));
    try {
      await vscode.commands.executeCommand('netnsLab.showPlan', uri).then(undefined, () => undefined);
      const editor = await waitFor('the plan editor', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.path === '/mhu.plan.sh'), 15_000);
      assert.match(editor.document.getText(), /# == host b: unreachable: host b is reached through ssh only in a trusted workspace/);
      assert.ok(!asked.includes('b'), `connected to ${asked.join(', ')}`);
    } finally {
      delete testing.connect;
      await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
    }
  });
});
