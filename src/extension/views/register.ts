/** The Netns Lab activity-bar container: three views and their commands. */
import * as vscode from 'vscode';
import type { TopologyAnalyses } from '../documents.js';
import type { HelperSession } from '../helper-session.js';
import type { LiveModel } from '../live.js';
import type { ServicesModel } from '../services.js';
import { BridgesTree, NamespacesTree, type TreeNode } from './trees.js';
import { TopologiesTree, type TopologyNode } from './topologies.js';
import { RemoteHosts } from './remote-hosts.js';
import { hostConnect } from '../multihost.js';
import { multiStatus } from '../../engine/multihost.js';
import { SPLITTER } from '../../engine/ssh-connect.js';
import type { Topology } from '../../core/model/model.js';

/** the tree views extension.ts made at activation (their providers forward to these trees) */
export interface TreeViews {
  namespaces: vscode.TreeView<unknown>;
  bridges: vscode.TreeView<unknown>;
  topologies: vscode.TreeView<unknown>;
}

/** the workspace's valid topologies (for the remote hosts' level) */
async function workspaceTopologies(analyses: TopologyAnalyses): Promise<Topology[]> {
  const out: Topology[] = [];
  for (const uri of await vscode.workspace.findFiles('**/*.netns.json', '**/node_modules/**', 500)) {
    const v = analyses.ofFile(uri, new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    if (v.valid && v.topology) out.push(v.topology);
  }
  return out;
}

export function registerViews(context: vscode.ExtensionContext, session: HelperSession, live: LiveModel, views: TreeViews, analyses: TopologyAnalyses, services?: ServicesModel): { namespaces: NamespacesTree; bridges: BridgesTree; topologies: TopologiesTree; remote: RemoteHosts } {
  const version = (context.extension.packageJSON as { version: string }).version;
  // a level per remote host of an applied multi-host topology, read on refresh
  const remote = new RemoteHosts(() => workspaceTopologies(analyses), () => hostConnect(session, version));
  const namespaces = new NamespacesTree(live, services, remote);
  const bridges = new BridgesTree(live);
  const topologies = new TopologiesTree(session, live, analyses, async (t) => {
    const r = await multiStatus(t, SPLITTER, { connect: hostConnect(session, version) });
    // a host with nothing of the lab whose helper cannot start (skipped) does not count
    return r.hosts.filter((o) => o.state !== 'skipped').map((o) => ({ host: o.host, ...(r.overall[o.host] ? { overall: r.overall[o.host] } : {}), ...(o.message ? { message: `${o.state}: ${o.message}` } : {}) }));
  });
  namespaces.attach(views.namespaces as vscode.TreeView<TreeNode>);
  bridges.attach(views.bridges as vscode.TreeView<TreeNode>);
  topologies.attach(views.topologies as vscode.TreeView<TopologyNode>);
  context.subscriptions.push(namespaces, bridges, topologies);

  // a node of this machine (a remote host's node carries its host: nothing here acts on it)
  const target = (n: unknown): { ns: string | null; name?: string } | undefined =>
    n && typeof n === 'object' && 'ns' in n && !('host' in n) ? (n as { ns: string | null; name?: string }) : undefined;

  const setState = (up: boolean) => async (n?: unknown) => {
    const t = target(n);
    if (!t?.name) { void vscode.window.showInformationMessage('Use this on an interface in the Namespaces or Bridges view.'); return; }
    try {
      await session.api.linkState({ ns: t.ns, name: t.name, up });
    } catch (e) {
      void vscode.window.showErrorMessage(`Could not set ${t.name} ${up ? 'up' : 'down'}: ${(e as Error).message}`);
    }
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('netnsLab.refresh', () => { void live.reload(); topologies.schedule(0); topologies.refreshHosts(); services?.schedule(0); return remote.refresh(); }),
    vscode.commands.registerCommand('netnsLab.setLinkUp', setState(true)),
    vscode.commands.registerCommand('netnsLab.setLinkDown', setState(false)),
    vscode.commands.registerCommand('netnsLab.copyAddress', async (n?: unknown) => {
      const t = target(n);
      const l = t?.name ? live.namespace(t.ns)?.links.find((x) => x.name === t.name) : undefined;
      const addrs = (l?.addresses ?? []).filter((a) => a.scope !== 'link').map((a) => a.cidr.split('/')[0]!);
      const pick = addrs.length > 1 ? await vscode.window.showQuickPick(addrs, { placeHolder: 'Copy which address?' }) : addrs[0];
      if (pick) { await vscode.env.clipboard.writeText(pick); vscode.window.setStatusBarMessage(`Copied ${pick}`, 3000); }
    }),
    vscode.commands.registerCommand('netnsLab.removeObject', async (n?: unknown) => {
      const t = target(n);
      if (!t || (t.ns === null && !t.name)) return;
      const what = t.name ? `interface '${t.name}'${t.ns ? ` in ${t.ns}` : ''}` : `namespace '${t.ns}'`;
      const ok = await vscode.window.showWarningMessage(`Remove ${what} from this machine?`, { modal: true, detail: 'Only objects made by netns-lab can be removed. The topology file is not changed: the next Apply creates it again.' }, 'Remove');
      if (ok !== 'Remove') return;
      try {
        await session.api.remove({ ns: t.ns, ...(t.name ? { name: t.name } : {}) });
      } catch (e) {
        void vscode.window.showErrorMessage(`Could not remove ${what}: ${(e as Error).message}`);
      }
    }),
    vscode.commands.registerCommand('netnsLab.showInCanvas', async (n?: unknown) => {
      const t = target(n);
      const owner = t ? (t.name ? live.namespace(t.ns)?.links.find((x) => x.name === t.name)?.owner : live.namespace(t.ns)?.owner) : undefined;
      const files = await vscode.workspace.findFiles('**/*.netns.json', '**/node_modules/**', 500);
      for (const f of files) {
        const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(f));
        if (owner && new RegExp(`"name"\\s*:\\s*"${owner}"`).test(text)) { await vscode.commands.executeCommand('vscode.openWith', f, 'netnsLab.topology'); return; }
      }
      void vscode.window.showInformationMessage(owner ? `No *.netns.json in the workspace is named '${owner}'.` : 'This object was not made by a topology.');
    }),
  );
  return { namespaces, bridges, topologies, remote };
}
