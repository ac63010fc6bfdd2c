/** The benchmark's pure parts: medians, ratios, targets, the table, options, baseline scripts (no timings). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { articleDestroyScript, articleScript, changeOneAddress, floorDestroyScript, floorScript } from '../../bench/baselines.js';
import { CLI, SESSION, evaluateTargets, replaceBetweenMarkers, formatRatio, formatValue, median, parseOptions, ratio, renderMarkdown, renderTable, type Row } from '../../bench/report.js';
import { chain, lan } from '../../bench/topologies.js';
import { validateValue } from '../../src/core/model/validate.js';
import { hasErrors } from '../../src/core/model/diagnostics.js';

const row = (section: string, topology: string, n: number | null, subject: string, value: number, baseline?: number): Row => ({
  section, topology, n, subject, value, unit: 'ms', ...(baseline !== undefined ? { baseline: { subject: 'floor', value: baseline } } : {}),
});

describe('bench report', () => {
  it('median of odd and even counts, refuses none', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]), /no samples/);
  });

  it('ratio is value over baseline; none without a positive baseline', () => {
    assert.equal(ratio(row('apply', 'lan', 50, CLI, 300, 100)), 3);
    assert.equal(ratio(row('apply', 'lan', 50, CLI, 300)), undefined);
    assert.equal(ratio(row('apply', 'lan', 50, CLI, 300, 0)), undefined);
    assert.equal(formatRatio(3.456), '3.46x');
    assert.equal(formatRatio(0.0123), '0.012x');
    assert.equal(formatRatio(123.4), '123x');
    assert.equal(formatValue(1234, 'ms'), '1.23 s');
    assert.equal(formatValue(12.34, 'ms'), '12 ms');
  });

  it('targets: apply against the floor and the article, linearity, thresholds', () => {
    const rows = [
      row('apply', 'lan', 50, 'floor: ip -batch', 100), row('apply', 'lan', 50, "article's way: one process per command", 1000),
      row('apply', 'lan', 50, SESSION, 140), row('apply', 'lan', 50, CLI, 400),
      row('apply', 'lan', 200, 'floor: ip -batch', 400), row('apply', 'lan', 200, "article's way: one process per command", 4000),
      row('apply', 'lan', 200, SESSION, 700), row('reapply', 'lan', 200, SESSION, 499), row('observe', 'lan', 200, SESSION, 1000), row('observe', 'lan', 200, `${CLI} status`, 900),
    ];
    const t = Object.fromEntries(evaluateTargets(rows).map((x) => [x.name, x.result]));
    assert.equal(t['apply lan N=50 (session) <= 1.5x floor'], 'pass');
    assert.equal(t['apply lan N=50 (session) >= 5x faster than the article\'s way'], 'pass');
    assert.equal(t['apply lan N=50 (CLI) <= 1.5x floor'], 'miss');
    assert.equal(t['apply lan N=50 (CLI) >= 5x faster than the article\'s way'], 'miss');
    assert.equal(t['apply lan N=200 (session) <= 1.5x floor'], 'miss');
    assert.equal(t['apply lan (session): N=200 costs <= 4.5x N=50'], 'miss'); // 700 / 140 = 5
    assert.equal(t['apply lan N=200 (CLI) <= 1.5x floor'], 'n/a');
    assert.equal(t['re-apply with no change, lan N=200 (session) < 0.5 s'], 'pass');
    assert.equal(t['observe lan N=200 (session) < 1 s'], 'miss'); // strictly under
    assert.equal(t['observe lan N=200 (CLI status) < 1 s'], 'pass');
    assert.equal(t['VSIX < 3 MB'], 'n/a');
  });

  it('the table shows value, baseline and ratio; Markdown escapes pipes', () => {
    const rows = [row('apply', 'lan', 50, 'floor: ip -batch', 100), { ...row('apply', 'lan', 50, CLI, 250, 100), processes: 53, steps: 456 }];
    const text = renderTable(rows, [{ section: 'apply', topology: 'lan', n: 50, subject: 'Mininet', reason: 'not installed' }]);
    assert.match(text, /netns-lab CLI\s+250 ms\s+53 proc, 456 steps\s+floor 100 ms\s+2\.50x/);
    assert.match(text, /not measured:\n {2}apply lan 50 Mininet: not installed/);
    const md = renderMarkdown([row('apply', 'lan', 50, 'a | b', 1)]);
    assert.match(md, /a \\\| b/);
  });

  it('the latest table goes between its markers, and nowhere without them', () => {
    const doc = 'a\n<!-- bench:table:start -->\nold\n<!-- bench:table:end -->\nb\n';
    assert.equal(replaceBetweenMarkers(doc, 'table', 'new'), 'a\n<!-- bench:table:start -->\nnew\n<!-- bench:table:end -->\nb\n');
    assert.equal(replaceBetweenMarkers('no markers', 'table', 'new'), undefined);
  });

  it('options: --quick, --only, --reps, --sizes; bad ones named', () => {
    assert.deepEqual(parseOptions([]).sizes, [10, 50, 200, 500]);
    assert.deepEqual(parseOptions(['--quick']).sizes, [10, 50]);
    assert.deepEqual([...parseOptions(['--only', 'apply,observe']).only!], ['apply', 'observe']);
    assert.deepEqual([...parseOptions(['--only=canvas']).only!], ['canvas']);
    assert.equal(parseOptions(['--reps', '2']).reps, 2);
    assert.throws(() => parseOptions(['--only', 'apply,speed']), /--only: unknown section 'speed'/);
    assert.throws(() => parseOptions(['--reps', '0']), /--reps/);
    assert.throws(() => parseOptions(['--sizes', '10,x']), /--sizes/);
    assert.throws(() => parseOptions(['--fast']), /unknown option --fast/);
  });
});

describe('bench baselines', () => {
  it('the floor: one root batch + one batch per namespace, veths made in place', () => {
    const s = floorScript(lan(3));
    assert.equal(s.match(/^ip /gm)?.length, 1 + 3);
    assert.match(s, /^link add vn1 master lanbr0 up type veth peer name eth0 netns n1$/m);
    assert.match(s, /^ip -n n2 -b - <<'EOF'\nlink set lo up\naddr add 10\.200\.0\.3\/16 dev eth0\nlink set eth0 up\nroute add default via 10\.200\.0\.1\nEOF$/m);
  });

  it('the floor of the chain: forwarding set by the same process as the batch', () => {
    const s = floorScript(chain(3));
    assert.match(s, /^link add right netns r1 type veth peer name left netns r2$/m);
    assert.equal(s.match(/^nsenter --net=\/run\/netns\/r\d sh -c 'echo 1 > \/proc\/sys\/net\/ipv4\/ip_forward; exec ip -b -'/gm)?.length, 3);
  });

  it("the article's way: one process per command (3 + 9N for the LAN)", () => {
    const s = articleScript(lan(4));
    const commands = s.split('\n').filter((l) => /^ip /.test(l));
    assert.equal(commands.length, 3 + 9 * 4);
    assert.ok(commands.includes('ip link set va0 netns n1'));
    assert.ok(commands.includes('ip netns exec n1 ip route add default via 10.200.0.1'));
    assert.equal(articleDestroyScript(lan(4)).split('\n').filter((l) => /^ip /.test(l)).length, 5);
    assert.match(floorDestroyScript(lan(4)), /netns del n4\nlink del lanbr0\nEOF/);
  });

  it('change one address in a chain of odd length is refused (the /29 would overlap the link before)', () => {
    assert.throws(() => changeOneAddress(chain(5)), /even number of routers/);
  });

  it('change one address: a valid file, one address different, the article\'s commands', () => {
    for (const t of [lan(5), chain(6), chain(200)]) {
      const c = changeOneAddress(t);
      assert.notEqual(c.from, c.to);
      assert.equal(hasErrors(validateValue(c.topology).diagnostics), false, JSON.stringify(validateValue(c.topology).diagnostics));
      assert.equal(JSON.stringify(t).split(c.from).length - JSON.stringify(c.topology).split(c.from).length, 1);
      assert.match(c.script, new RegExp(`ip netns exec ${c.ns} ip addr del ${c.from} dev ${c.iface}\\n.*ip addr add ${c.to} dev ${c.iface}`));
    }
  });
});
