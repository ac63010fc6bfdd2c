/**
 * Issue 13, 9a: a workspace's .vscode/settings.json must not weaken a confirmation, name a
 * program or path to run, or choose where traffic is sent. Every netnsLab setting is classified
 * here, so a new one needs a decision.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { USER_ONLY_SETTINGS, userValue } from '../../src/extension/user-setting.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { scope?: string }> } };
};
const props = pkg.contributes.configuration.properties;

/** settings a workspace may set, and why that is harmless */
const WORKSPACE_OK: Record<string, string> = {
  'netnsLab.canvas.labels': 'display only',
  'netnsLab.canvas.gridSnap': 'display only',
  'netnsLab.canvas.gridSize': 'display only',
  'netnsLab.liveMonitor': 'only whether the views follow the kernel live (read-only requests)',
  'netnsLab.addressPool': 'addresses proposed for newly drawn links: an edit of the document, shown and confirmed at apply',
};

describe('settings a workspace cannot set', () => {
  it('confirmApply, probeTargets, helperPath and elevation have application or machine scope', () => {
    for (const [key, scope] of Object.entries(USER_ONLY_SETTINGS)) {
      assert.ok(props[key], `${key} is contributed`);
      assert.equal(props[key]!.scope, scope, key);
    }
    assert.equal(props['netnsLab.confirmApply']!.scope, 'application');
    assert.equal(props['netnsLab.probeTargets']!.scope, 'machine');
  });

  it('every netnsLab setting is classified: user-only, or harmless in a workspace (no machine-overridable)', () => {
    for (const [key, p] of Object.entries(props)) {
      assert.ok(key in USER_ONLY_SETTINGS || key in WORKSPACE_OK, `${key}: decide whether a workspace may set it`);
      assert.notEqual(p.scope, 'machine-overridable', key);
      if (key in WORKSPACE_OK) assert.ok(p.scope === undefined || p.scope === 'resource' || p.scope === 'window' || p.scope === 'language-overridable', key);
    }
  });

  it('userValue reads the user\'s value or the default, never a workspace\'s', () => {
    assert.equal(userValue({ defaultValue: true, workspaceValue: false, workspaceFolderValue: false }, true), true);
    assert.equal(userValue({ defaultValue: true, globalValue: false, workspaceValue: true }, true), false);
    assert.deepEqual(userValue<string[]>({ defaultValue: [], workspaceValue: ['203.0.113.9'] }, []), []);
    assert.deepEqual(userValue<string[]>({ defaultValue: [], globalValue: ['example.test'], workspaceFolderValue: ['x'] }, []), ['example.test']);
    assert.equal(userValue(undefined, true), true);
  });
});
