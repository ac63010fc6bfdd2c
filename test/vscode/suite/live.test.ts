/// <reference types="mocha" />
/**
 * Live state after an apply (issue 15 item 4): a change no event reports (a tbf rate on a
 * link) must show as in sync in the live model (the source of the canvas's marks) and in the
 * Topologies view without a manual refresh. Applies a two-namespace lab in the sandbox.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as vscode from 'vscode';
import { EXTENSION_ID, activate, closeAll, metric, setText, waitFor, workspaceFile } from './util.js';

interface LiveApi {
  live: {
    acquire(user: object): Promise<void>;
    release(user: object): void;
    planOf(t: unknown): { steps: unknown[] } | undefined;
  };
  trees: { topologies: vscode.TreeDataProvider<{ uri: vscode.Uri; status: string }> };
}

const NAMES = ['lvA', 'lvB'];
function lab(impair?: { rate: number }): Record<string, unknown> {
  return {
    version: 1, name: 'ratelab',
    namespaces: NAMES.map((name, i) => ({ name, position: { x: 100 + 200 * i, y: 100 } })),
    links: [{
      a: { node: NAMES[0], name: 'eth0', addresses: ['10.77.0.1/30'], ...(impair ? { impair } : {}) },
      b: { node: NAMES[1], name: 'eth0', addresses: ['10.77.0.2/30'] },
    }],
  };
}


suite('live state after an apply', () => {
  const user = {};
  let api: LiveApi;
  const config = () => vscode.workspace.getConfiguration('netnsLab');
  suiteSetup(async () => {
    await activate();
    api = vscode.extensions.getExtension<LiveApi>(EXTENSION_ID)!.exports;
    await config().update('confirmApply', false, vscode.ConfigurationTarget.Global);
  });
  suiteTeardown(async () => {
    api?.live.release(user);
    await config().update('confirmApply', undefined, vscode.ConfigurationTarget.Global);
    await closeAll();
    // the sandbox is thrown away, but later suites should not see the lab
    for (const n of NAMES) spawnSync('ip', ['netns', 'del', n]);
  });

  test('a rate limit applied shows in sync in the live model and the Topologies view without a refresh', async function () {
    this.timeout(120_000);
    const uri = workspaceFile('ratelab.netns.json');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(`${JSON.stringify(lab(), null, 2)}\n`));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.commands.executeCommand('netnsLab.topologies.focus');
    await api.live.acquire(user);
    const status = async () => {
      const nodes = (await api.trees.topologies.getChildren()) ?? [];
      return nodes.find((n) => n.uri.toString() === uri.toString())?.status;
    };
    let last = '';
    const inSync = async (t: unknown) => {
      const p = api.live.planOf(t);
      const s = await status();
      const all = ((await api.trees.topologies.getChildren()) ?? []).map((n) => `${n.uri.path.split('/').pop()}=${n.status}`);
      last = `live plan: ${p ? JSON.stringify(p.steps) : 'none'}; Topologies: ${s} of ${all.join(', ')}`;
      return p?.steps.length === 0 && s === 'in-sync';
    };
    const wait = (what: string, t: unknown, ms: number) => waitFor(what, () => inSync(t), ms).catch((e: Error) => { throw new Error(`${e.message} (${last})`); });

    await vscode.commands.executeCommand('netnsLab.apply', uri);
    await wait('the lab in sync after the first apply', lab(), 30_000);
    // a first rate replaces the default qdisc: the kernel reports that link as changed
    await setText(doc, `${JSON.stringify(lab({ rate: 8000 }), null, 2)}\n`);
    await vscode.commands.executeCommand('netnsLab.apply', uri);
    await wait('the lab in sync after the first rate', lab({ rate: 8000 }), 30_000);

    // a new rate changes the tbf in place: no event at all
    await setText(doc, `${JSON.stringify(lab({ rate: 16000 }), null, 2)}\n`);
    await waitFor('the new rate planned', () => api.live.planOf(lab({ rate: 16000 }))?.steps.length === 1, 30_000);
    const t0 = Date.now();
    await vscode.commands.executeCommand('netnsLab.apply', uri);
    const applied = Date.now();
    const tc = spawnSync('ip', ['netns', 'exec', NAMES[0]!, 'tc', 'qdisc', 'show', 'dev', 'eth0'], { encoding: 'utf8' });
    assert.match(tc.stdout, /tbf .*rate 16Mbit/, `the apply set the new rate: ${tc.stdout}${tc.stderr}`);
    // the live model must re-read what the apply touched
    await wait('the live model and the Topologies view in sync after the new rate', lab({ rate: 16000 }), 20_000);
    metric('liveInSyncAfterApplyMs', Date.now() - applied);
    metric('rateApplyMs', applied - t0);
  });
});
