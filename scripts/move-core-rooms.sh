#!/bin/bash
# Gives src/core rooms (issue #14, step 6): moves each file of src/core into its room by the
# table below, rewrites every relative import of a moved file (src/, webview/, test/, bench/,
# build/) and the paths the docs and comments name (src/core/plan.ts -> src/core/plan/plan.ts),
# writes an index.ts per room, and wires the rooms' import rules
# (scripts/core-rooms.depcruise.cjs) into .dependency-cruiser.cjs.
#
#   scripts/move-core-rooms.sh --check   only compare the table with src/core (changes nothing)
#   scripts/move-core-rooms.sh           move (needs a clean working tree), then run:
#                                        npm run build && npm run lint && npm run test:unit
#
# It refuses to start (exit 1), listing them, when a file of src/core is not in the table (a
# file added since: give it a room below) or a file of the table is gone (lines marked `later`
# are files other branches were adding when this was written: moved when they are there). Run
# it once, after the merges; review `git status`/`git diff -M`, then commit.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

# file -> room (see scripts/core-rooms.depcruise.cjs for what each room is and may import);
# `later`: a file of another branch (named in the comment), moved if the merge brought it
TABLE='
model.ts               model
names.ts               model
ip.ts                  model
impair.ts              model
diagnostics.ts         model
json.ts                model
validate.ts            model
topo-index.ts          model
model-workloads.ts     model     later  workloads (model.ts imports it)
validate-workloads.ts  model     later  workloads (validate.ts imports it)
workloads.ts           model     later  workloads (validate-workloads.ts imports it: model, not plan)
sha256.ts              model     later  workloads
markdown.ts            model     later  sec-routes (text from the kernel escaped for Markdown hovers)
observe.ts             observe
monitor.ts             observe
plan.ts                plan
steps.ts               plan
render.ts              plan
host-routes.ts         plan      later  sec-routes (plan.ts imports it)
plan-context.ts        plan      later  arch-helper (plan() split: one planner per kind of object)
plan-links.ts          plan      later  arch-helper (plan() split: one planner per kind of object)
plan-routes.ts         plan      later  arch-helper (plan() split: one planner per kind of object)
plan-files.ts          plan      later  arch-helper (plan() split: one planner per kind of object)
plan-firewall.ts       plan      later  arch-helper (plan() split: one planner per kind of object)
edits.ts               edit
gestures.ts            edit      later  arch-webview (the canvas vocabulary; protocol and webview import it)
edit-policy.ts         edit      later  arch-webview
importer.ts            import
adopt.ts               import    later  sec-adopt
import-build.ts        import    later  importers
import-clab.ts         import    later  importers
import-clab-links.ts   import    later  importers
import-clab-mgmt.ts    import    later  importers
import-clab-nodes.ts   import    later  importers
import-lines.ts        import    later  importers
import-names.ts        import    later  importers
import-report.ts       import    later  importers
import-yaml.ts         import    later  importers
import-kathara.ts      import    later  importers
import-kathara-conf.ts import    later  importers
exec-args.ts           model
expect.ts              model
expect-validate.ts     model
validate-loops.ts      model
where.ts               model
model-hosts.ts         model     later  mh-core (hosts and "on": the file format)
validate-hosts.ts      model     later  mh-core
hosts-layout.ts        model     later  mh-core
mac.ts                 model     later  mac (MAC addresses on link ends)
validate-macs.ts       model     later  mac
intent.ts              observe
render-workloads.ts    plan
root-approval.ts       plan
destroy-report.ts      plan
hosts-split.ts         plan      later  mh-core (one topology -> one part per host)
plan-physical.ts       plan      later  mh-core
renumber.ts            edit
expect-edit.ts         edit
doctor.ts              diagnose
reach.ts               diagnose
reach-paint.ts         diagnose
livemarks.ts           diagnose
expect-verdict.ts      diagnose
expect-report.ts       diagnose
expect-record.ts       diagnose
path-walk.ts           diagnose
path-fix.ts            diagnose
service-status.ts      diagnose  later  ui-wl (the state of a service on the drawing and in Problems)
'

mode=${1:-move}
case "$mode" in --check|move) ;; *) echo "usage: $0 [--check]" >&2; exit 2 ;; esac

# -- the table against the tree ---------------------------------------------------------------
declare -A ROOM
while read -r file room later _; do
  [ -n "${file:-}" ] || continue
  # a file another branch adds: in the plan only when it is here
  [ "${later:-}" = later ] && [ ! -f "src/core/$file" ] && continue
  ROOM[$file]=$room
done <<<"$TABLE"
unknown=(); missing=()
for f in src/core/*; do
  b=${f#src/core/}
  [ -d "$f" ] && { unknown+=("$b/ (a directory: already moved?)"); continue; }
  [ -n "${ROOM[$b]:-}" ] || unknown+=("$b")
done
for b in "${!ROOM[@]}"; do [ -f "src/core/$b" ] || missing+=("$b"); done
if [ ${#unknown[@]} -gt 0 ] || [ ${#missing[@]} -gt 0 ]; then
  if [ ${#unknown[@]} -gt 0 ]; then
    echo "move-core-rooms: files of src/core not in the table of $0 (give each a room there):" >&2
    printf '  src/core/%s\n' "${unknown[@]}" >&2
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "move-core-rooms: files of the table not in src/core (remove or rename their lines):" >&2
    printf '  %s\n' "${missing[@]}" >&2
  fi
  exit 1
fi
rooms=$(printf '%s\n' "${ROOM[@]}" | sort -u)
for r in $rooms; do
  grep -q "^  $r: \[" scripts/core-rooms.depcruise.cjs || { echo "move-core-rooms: room '$r' has no line in ROOMS of scripts/core-rooms.depcruise.cjs" >&2; exit 1; }
done
echo "move-core-rooms: all ${#ROOM[@]} files of src/core are in the table:"
for r in $rooms; do
  printf '  %-9s' "$r"; for b in $(printf '%s\n' "${!ROOM[@]}" | sort); do [ "${ROOM[$b]}" = "$r" ] && printf ' %s' "$b"; done; echo
done
[ "$mode" = --check ] && exit 0

if ! git diff --quiet || ! git diff --cached --quiet; then
  echo 'move-core-rooms: the working tree has changes; commit or stash them first' >&2; exit 1
fi

# -- imports and named paths, rewritten in place before the files move --------------------------
# (node: resolve each relative specifier from the importing file's old place, point it at the
# target's new place from the importer's new place)
MAP=$(for b in "${!ROOM[@]}"; do echo "src/core/$b src/core/${ROOM[$b]}/$b"; done)
MAP="$MAP" node --input-type=module - <<'JS'
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const moved = new Map(process.env.MAP.trim().split('\n').map((l) => l.split(' ')));
const files = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' }).split('\0').filter(Boolean);
const code = files.filter((f) => /^(src|webview|test|bench|build)\//.test(f) && /\.(ts|mts|cts|js|mjs|cjs)$/.test(f));
// prose: every Markdown file but the changelog (history names the paths of its time)
const prose = files.filter((f) => f.endsWith('.md') && f !== 'CHANGELOG.md');
const SPEC = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])(\.\.?\/[^'"]+)\2/g;
const names = [...moved.keys()].map((f) => path.posix.basename(f, '.ts'));
// "src/core/plan.ts" or "src/core/plan" in text, not "src/core/plan.js" (an import) nor "src/core/plan/"
const NAMED = new RegExp(`\\bsrc/core/(${names.join('|')})(\\.ts)?(?![\\w/.-]|\\.ts)`, 'g');
const NAMED_TS = new RegExp(`\\bsrc/core/(${names.join('|')})\\.ts\\b`, 'g');
const newPlace = (f) => moved.get(f) ?? f;

function rewriteImport(file, spec) {
  const from = path.posix.dirname(file);
  const target = path.posix.normalize(path.posix.join(from, spec));
  const m = /^(.*?)(\.js|\.ts)?$/.exec(target);
  const ts = `${m[1]}.ts`;
  if (!moved.has(ts) && !moved.has(file)) return spec;
  if (!moved.has(ts) && !files.includes(ts) && !files.includes(target)) return spec; // a package subpath or an unknown file: leave it
  const dest = moved.has(ts) ? moved.get(ts).replace(/\.ts$/, m[2] ?? '') : target;
  let rel = path.posix.relative(path.posix.dirname(newPlace(file)), dest);
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return rel;
}

let changed = 0;
const named = (text) => text.replace(NAMED_TS, (_, n) => `${moved.get(`src/core/${n}.ts`)}`)
  .replace(NAMED, (_, n) => moved.get(`src/core/${n}.ts`).replace(/\.ts$/, ''));
for (const f of code) {
  const text = readFileSync(f, 'utf8');
  const out = named(text.replace(SPEC, (all, kw, q, spec) => `${kw}${q}${rewriteImport(f, spec)}${q}`));
  if (out !== text) { writeFileSync(f, out); changed++; }
}
for (const f of prose) {
  const text = readFileSync(f, 'utf8');
  const out = named(text);
  if (out !== text) { writeFileSync(f, out); changed++; }
}
console.log(`move-core-rooms: rewrote imports and named paths in ${changed} file(s)`);
JS

# -- the moves --------------------------------------------------------------------------------
for r in $rooms; do mkdir -p "src/core/$r"; done
for b in $(printf '%s\n' "${!ROOM[@]}" | sort); do
  git mv "src/core/$b" "src/core/${ROOM[$b]}/$b"
done

# -- an index per room: what the room offers the others -------------------------------------------
declare -A WHAT=(
  [model]='the topology file: its schemas and types, names, addresses, JSON positions and validation'
  [import]="other tools' labs and the running machine -> a topology and a report of what was not mapped"
  [observe]="the kernel's state read back: ip/iptables/sysctl output and monitor events"
  [plan]='the reconcile: (topology, live state) -> typed steps -> argv and scripts'
  [edit]='canvas gestures -> minimal text edits of the file'
  [diagnose]='the machine against the file: the doctor, reachability, live marks on the drawing'
)
for r in $rooms; do
  files=$(for b in $(printf '%s\n' "${!ROOM[@]}" | sort); do if [ "${ROOM[$b]}" = "$r" ]; then echo "$b"; fi; done)
  ROOM_DIR="src/core/$r" WHAT="${WHAT[$r]:-the room $r}" FILES="$files" node - <<'JS'
// export * of each file; a file that declares and exports a name an earlier file of the room
// exports too is re-exported as a namespace (two `export *` of two different things of one
// name are an error; a name passed on from another file, `export { X }` of an import, is not)
const fs = require('node:fs');
const dir = process.env.ROOM_DIR;
const DECL = /^export\s+(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:abstract\s+)?(?:const|let|var|function\*?|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm;
const LIST = /^export\s+(?:type\s+)?\{([^}]*)\}(?!\s*from)/gm;
const declared = (text, n) => new RegExp(`^(?:declare\\s+)?(?:async\\s+)?(?:const|let|var|function\\*?|class|interface|type|enum)\\s+${n.replace(/\$/g, '\\$')}\\b`, 'm').test(text);
const seen = new Map();
const lines = [`/** ${dir}: ${process.env.WHAT}. Which rooms it may import: scripts/core-rooms.depcruise.cjs. */`];
for (const file of process.env.FILES.trim().split('\n')) {
  const text = fs.readFileSync(`${dir}/${file}`, 'utf8');
  const names = new Set([...text.matchAll(DECL)].map((m) => m[1]));
  for (const m of text.matchAll(LIST)) {
    for (const part of m[1].split(',')) {
      const [local, exported = local] = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/);
      if (local && declared(text, local)) names.add(exported);
    }
  }
  const base = file.replace(/\.ts$/, '');
  const clash = [...names].filter((n) => seen.has(n));
  if (clash.length) {
    const ns = base.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    lines.push(`// ${clash.map((n) => `${n} (also in ${seen.get(n)})`).join(', ')}: the names of ${file} are under ${ns}`);
    lines.push(`export * as ${ns} from './${base}.js';`);
    console.log(`move-core-rooms: ${dir}/index.ts: ${file} exports ${clash.join(', ')} as ${seen.get(clash[0])} does; re-exported as the namespace ${ns}`);
  } else {
    for (const n of names) seen.set(n, file);
    lines.push(`export * from './${base}.js';`);
  }
}
fs.writeFileSync(`${dir}/index.ts`, `${lines.join('\n')}\n`);
JS
  git add "src/core/$r/index.ts"
done

# -- the rooms' rules in dependency-cruiser -----------------------------------------------------
node - <<'JS'
const fs = require('node:fs');
const f = '.dependency-cruiser.cjs';
let s = fs.readFileSync(f, 'utf8');
if (!s.includes('core-rooms.depcruise.cjs')) {
  const anchor = "    { name: 'no-circular'";
  if (!s.includes(anchor)) { console.error(`move-core-rooms: no "${anchor.trim()}" line in ${f}: add ...require('./scripts/core-rooms.depcruise.cjs') to forbidden by hand`); process.exit(1); }
  s = s.replace(anchor, '    // the rooms of src/core and which may import which\n'
    + '    // eslint-disable-next-line no-undef, @typescript-eslint/no-require-imports -- a CommonJS file, as dependency-cruiser wants\n'
    + "    ...require('./scripts/core-rooms.depcruise.cjs'),\n" + anchor);
  fs.writeFileSync(f, s);
}
JS

left=$(git grep -nE "src/core/[a-z-]+\.ts" -- ':!CHANGELOG.md' ':!scripts/move-core-rooms.sh' | grep -vE 'src/core/[a-z]+/' || true)
[ -z "$left" ] || { echo 'move-core-rooms: these lines still name a file directly in src/core:'; echo "$left"; }
echo 'move-core-rooms: done. Now: npm run build && npm run lint && npm run test:unit; review git diff -M --stat; commit.'
