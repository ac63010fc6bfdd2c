/**
 * The rooms of src/core and which may import which: dependency-cruiser rules for
 * .dependency-cruiser.cjs, wired in by scripts/move-core-rooms.sh once the files are in their
 * rooms (`forbidden: [...existing, ...require('./scripts/core-rooms.depcruise.cjs')]`).
 * Before the move no path matches a room, except 'core-files-live-in-rooms', which would fail:
 * do not wire this in by hand before running the script.
 *
 *   model     the topology file: schemas, names, addresses, JSON positions, validation
 *   observe   the kernel's state read back (ip/iptables/sysctl output, monitor events)
 *   plan      the reconcile: (topology, live state) -> typed steps -> argv
 *   edit      canvas gestures -> minimal text edits of the file
 *   import    other tools' labs and the running machine -> a topology (and a report)
 *   diagnose  the machine against the file: doctor, reachability, live marks on the drawing
 */
/** each room and the rooms it may import (besides itself) */
const ROOMS = {
  model: [],
  observe: ['model'],
  plan: ['model', 'observe'],
  edit: ['model'],
  import: ['model', 'observe'],
  diagnose: ['model', 'observe', 'plan'],
};

const roomRules = Object.entries(ROOMS).map(([room, may]) => ({
  name: `core-room-${room}`,
  comment: `src/core/${room} imports only ${[room, ...may].map((r) => `core/${r}`).join(', ')}`,
  severity: 'error',
  from: { path: `^src/core/${room}/` },
  to: { path: '^src/core/', pathNot: `^src/core/(${[room, ...may].join('|')})/` },
}));

module.exports = [
  ...roomRules,
  {
    name: 'core-files-live-in-rooms',
    comment: 'every file of src/core is in a room (src/core/ROOM/FILE.ts); a new room is a line in ROOMS above',
    severity: 'error',
    from: {},
    to: { path: '^src/core/[^/]+$' },
  },
  {
    name: 'core-known-rooms',
    comment: 'src/core has only the rooms of scripts/core-rooms.depcruise.cjs',
    severity: 'error',
    from: {},
    to: { path: '^src/core/[^/]+/', pathNot: `^src/core/(${Object.keys(ROOMS).join('|')})/` },
  },
  {
    name: 'webview-draws-the-file',
    comment: 'the canvas knows the file format and its edits, not the kernel: it imports only core/model and core/edit',
    severity: 'error',
    from: { path: '^webview' },
    to: { path: '^src/core/', pathNot: '^src/core/(model|edit)/' },
  },
];
module.exports.ROOMS = ROOMS;
