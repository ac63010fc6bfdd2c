/**
 * "Netns: Install Privileged Helper": for a user who is not root. Shows exactly what will be
 * written (a root-owned copy of the helper and a sudoers rule for it), asks, then runs the
 * script with sudo in a terminal (where sudo can ask for the password), and points the
 * settings at the installed helper.
 */
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { systemNode } from '../engine/helper-client.js';
import { writePrivateScript } from '../engine/install-file.js';
import { systemPathFs } from '../engine/path-fs.js';
import { installProblems, installScript } from '../engine/privilege.js';

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
    // a rule for a node or a helper place someone else can change would give them root
    const unsafe = installProblems({ node, source: path.join(context.extensionPath, 'dist', 'helper.js'), uid: process.getuid?.() ?? -1, version }, systemPathFs);
    if (unsafe.length) {
      void vscode.window.showErrorMessage(`Netns Lab will not install the helper rule: ${unsafe.join('; ')}. Install Node.js from the system packages (root-owned) and make these paths root's alone.`, { modal: true });
      return;
    }
    const doc = await vscode.workspace.openTextDocument({ language: 'shellscript', content: plan.script });
    await vscode.window.showTextDocument(doc, { preview: true });
    const ok = await vscode.window.showWarningMessage('Install the Netns Lab privileged helper?', {
      modal: true,
      detail: `The script shown is run with sudo in a terminal (sudo asks for your password there). It copies the helper to ${plan.helper} (owned by root) and lets ${user} run exactly that helper as root without a password.`,
    }, 'Install');
    if (ok !== 'Install') return;
    const script = writePrivateScript(plan.script);
    const term = vscode.window.createTerminal({ name: 'Netns: install helper', shellPath: 'sudo', shellArgs: ['bash', script.file], iconPath: new vscode.ThemeIcon('shield') });
    term.show();
    const done = vscode.window.onDidCloseTerminal(async (t) => {
      if (t !== term) return;
      done.dispose();
      script.remove();
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
