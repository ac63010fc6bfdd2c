/**
 * "Netns: Install Privileged Helper": for a user who is not root. Shows exactly what will be
 * written (a root-owned copy of the helper and a sudoers rule for it), asks, then runs the
 * script with sudo in a terminal (where sudo can ask for the password), and points the
 * settings at the installed helper.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { systemNode } from '../engine/helper-client.js';
import { installScript } from '../engine/privilege.js';

export function registerInstallHelper(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.commands.registerCommand('netnsLab.installHelper', async () => {
    if (process.getuid?.() === 0) {
      void vscode.window.showInformationMessage('VS Code runs as root here: the helper starts directly and needs no rule.');
      return;
    }
    const node = systemNode();
    const user = os.userInfo().username;
    const version = String((context.extension.packageJSON as { version?: string }).version ?? '0');
    let plan: ReturnType<typeof installScript>;
    try {
      plan = installScript({ user, node, source: path.join(context.extensionPath, 'dist', 'helper.js'), version });
    } catch (e) {
      void vscode.window.showErrorMessage(`Cannot prepare the helper rule: ${(e as Error).message}`);
      return;
    }
    const warn = statSync(node).uid !== 0 ? `\n# WARNING: ${node} is not owned by root; install Node.js from the system packages first.\n` : '';
    const doc = await vscode.workspace.openTextDocument({ language: 'shellscript', content: plan.script + warn });
    await vscode.window.showTextDocument(doc, { preview: true });
    const ok = await vscode.window.showWarningMessage('Install the Netns Lab privileged helper?', {
      modal: true,
      detail: `The script shown is run with sudo in a terminal (sudo asks for your password there). It copies the helper to ${plan.helper} (owned by root) and lets ${user} run exactly that helper as root without a password.`,
    }, 'Install');
    if (ok !== 'Install') return;
    const file = path.join(os.tmpdir(), `netns-lab-install-helper-${process.pid}.sh`);
    writeFileSync(file, plan.script, { mode: 0o600 });
    const term = vscode.window.createTerminal({ name: 'Netns: install helper', shellPath: 'sudo', shellArgs: ['bash', file], iconPath: new vscode.ThemeIcon('shield') });
    term.show();
    const done = vscode.window.onDidCloseTerminal(async (t) => {
      if (t !== term) return;
      done.dispose();
      if (t.exitStatus?.code === 0 && existsSync(plan.helper)) {
        const cfg = vscode.workspace.getConfiguration('netnsLab');
        await cfg.update('helperPath', plan.helper, vscode.ConfigurationTarget.Global);
        await cfg.update('elevation', 'sudo', vscode.ConfigurationTarget.Global);
        void vscode.window.showInformationMessage(`The helper is installed (${plan.helper}); Netns Lab now starts it with sudo -n.`);
      } else {
        void vscode.window.showErrorMessage('The helper was not installed (the script did not finish). Its text is still open for review.');
      }
    });
    context.subscriptions.push(done);
  }));
}
