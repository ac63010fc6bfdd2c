/**
 * Services as VS Code shows them (issue 16): the Namespaces view's description, the canvas
 * badge (its text, state and label line beside a connectivity badge, framed in the theme's
 * colours), and the Problems entry of a service that exited, on its name in the file.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import cytoscape from 'cytoscape';
import { locate, parseJsonText } from '../../src/core/model/json.js';
import { withServiceBadges, type LiveMarks } from '../../src/core/diagnose/livemarks.js';
import type { Topology } from '../../src/core/model/model.js';
import { duration, serviceBadge, serviceDescription, serviceProblems } from '../../src/core/diagnose/service-status.js';
import type { LiveService } from '../../src/core/model/workloads.js';
import { LiveMark } from '../../src/shared/protocol.js';
import { paintLive, paintReach } from '../../webview/canvas-decor.js';
import { buildElements, readTopology } from '../../webview/model.js';
import { buildStylesheet } from '../../webview/style.js';
import { DARK_THEME } from '../support/theme.js';

const NOW = 1_700_000_000_000;
const svc = (o: Partial<LiveService>): LiveService => ({ ns: 'server', name: 'web', state: 'running', restarts: 0, ...o });
const webText = readFileSync(new URL('../../../examples/web.netns.json', import.meta.url), 'utf8');
const web = (): Topology => JSON.parse(webText) as Topology;

describe('a service in the Namespaces view', () => {
  it('running: pid, uptime and restarts; exited: its code; starting; not started', () => {
    assert.equal(serviceDescription(svc({ pid: 4242, since: NOW - 180_000 }), NOW), 'running · pid 4242 · up 3 min · 0 restarts');
    assert.equal(serviceDescription(svc({ pid: 7, since: NOW - 5_000, restarts: 1 }), NOW), 'running · pid 7 · up 5 s · 1 restart');
    assert.equal(serviceDescription(svc({ state: 'exited', code: 1, restarts: 2 }), NOW), 'exited (code 1) · 2 restarts');
    assert.equal(serviceDescription(svc({ state: 'exited' }), NOW), 'exited · 0 restarts');
    assert.equal(serviceDescription(svc({ state: 'starting', restarts: 1 }), NOW), 'starting · 1 restart');
    assert.equal(serviceDescription(svc({ state: 'not-started' }), NOW), 'not started');
    assert.deepEqual([duration(59_400), duration(7_199_000), duration(7_200_000), duration(3 * 86_400_000)], ['59 s', '120 min', '2 h', '3 d']);
  });
});

describe('the canvas badge of a namespace with services', () => {
  it('counts what runs and what does not, worst state first', () => {
    assert.equal(serviceBadge([], NOW), undefined);
    assert.deepEqual(serviceBadge([svc({ pid: 1 })], NOW), { text: '1 service running', state: 'ok', detail: 'web: running · pid 1 · 0 restarts' });
    const two = serviceBadge([svc({ pid: 1 }), svc({ name: 'db', state: 'exited', code: 3 })], NOW)!;
    assert.equal(two.text, '2 services · 1 exited');
    assert.equal(two.state, 'exited');
    assert.equal(two.detail, 'web: running · pid 1 · 0 restarts\ndb: exited (code 3) · 0 restarts');
    assert.equal(serviceBadge([svc({ state: 'starting' }), svc({ state: 'not-started' })], NOW)!.text, '2 services · 1 starting · 1 not started');
    assert.equal(serviceBadge([svc({ state: 'not-started' })], NOW)!.state, 'stopped');
  });

  it('goes on the live marks of the file\'s namespaces that have services (a service without a record: not started), and passes the protocol', () => {
    const marks: LiveMarks = { applied: true, nodes: { host: { state: 'in-sync' }, server: { state: 'in-sync' }, client: { state: 'in-sync' }, webbr0: { state: 'in-sync' } }, links: {} };
    const m = withServiceBadges(marks, web(), [svc({ pid: 9, since: NOW })], NOW);
    assert.deepEqual(m.nodes.server!.services, { text: '1 service running', state: 'ok', detail: 'web: running · pid 9 · up 0 s · 0 restarts' });
    assert.deepEqual(m.nodes.client!.services, { text: '1 service · 1 not started', state: 'stopped', detail: 'poll: not started' });
    assert.equal(m.nodes.webbr0!.services, undefined);
    assert.equal(marks.nodes.server!.services, undefined, 'the marks given are not changed');
    assert.ok(LiveMark.safeParse(m.nodes.server).success);
    assert.ok(!LiveMark.safeParse({ ...m.nodes.server, services: { text: 'x', state: 'bad', detail: '' } }).success);
  });
});

describe('Problems: a service that exited', () => {
  it('an error naming a failure\'s code, on the service\'s name in the file; a clean exit is a warning; running ones nothing', () => {
    const t = web();
    const ds = serviceProblems(t, [svc({ state: 'exited', code: 2, restarts: 5 }), svc({ ns: 'client', name: 'poll', state: 'exited', code: 0 })]);
    assert.deepEqual(ds.map((d) => [d.severity, d.code, d.path.join('.')]), [
      ['error', 'service-exited', 'namespaces.0.services.0.name'],
      ['warning', 'service-exited', 'namespaces.1.services.0.name'],
    ]);
    assert.match(ds[0]!.message, /^Service 'web' in server exited with code 2 after 5 restarts; it is not running/);
    assert.match(serviceProblems(t, [svc({ state: 'exited', code: 143 })])[0]!.message, /ended by signal 15 \(exit code 143\)/);
    const [d] = locate(parseJsonText(webText), ds);
    assert.equal(webText.slice(d!.offset, d!.offset! + d!.length!), '"web"', 'it points at the name');
    assert.deepEqual(serviceProblems(t, [svc({ pid: 1 }), svc({ ns: 'client', name: 'poll', state: 'starting' }), svc({ name: 'gone', state: 'exited', code: 1 })]), []);
  });
});

describe('the badge on the canvas (webview, headless cytoscape)', () => {
  const theme = DARK_THEME;
  let cy: cytoscape.Core | undefined;
  after(() => cy?.destroy());

  it('a second label line, framed in the error colour when one exited, beside the connectivity line; cleared with the live state', () => {
    cy = cytoscape({ headless: true, styleEnabled: true, layout: { name: 'preset' }, elements: buildElements(readTopology(JSON.parse(webText)), [], 'all').elements as unknown as cytoscape.ElementDefinition[] });
    cy.style(buildStylesheet(theme, {}, { w: 84, h: 62 }) as unknown as cytoscape.StylesheetJson);
    const n = cy.getElementById('n:server');
    const live = (state: 'ok' | 'exited') => ({ nodes: { server: { state: 'in-sync', services: { text: state === 'ok' ? '1 service running' : '1 service · 1 exited', state, detail: 'web: …' } } }, links: {} });
    paintLive(cy, live('ok'));
    assert.equal(n.style('label'), 'server\n⚙ 1 service running');
    assert.equal(n.style('text-border-opacity'), '0', 'all running: no frame');
    assert.match(String(n.data('liveTip')), /^Services:\nweb: …$/);
    paintLive(cy, live('exited'));
    assert.equal(n.style('label'), 'server\n⚙ 1 service · 1 exited');
    assert.equal(n.style('text-border-color'), 'rgb(241,76,76)');
    paintReach(cy, { links: {}, nodes: { server: { state: 'ok', ok: 2, failed: 0, detail: '' } } });
    assert.equal(n.style('label'), 'server\n⚙ 1 service · 1 exited\n✓ 2 reached', 'both badges');
    paintReach(cy, undefined);
    assert.equal(n.style('label'), 'server\n⚙ 1 service · 1 exited');
    paintLive(cy, undefined);
    assert.equal(n.style('label'), 'server', 'not applied: the plain label');
    assert.equal(n.hasClass('svc-exited'), false);
  });
});
