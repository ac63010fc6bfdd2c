/** src/core/diagnose: the machine against the file: the doctor, reachability, live marks on the drawing. Which rooms it may import: scripts/core-rooms.depcruise.cjs. */
export * from './doctor.js';
export * from './expect-record.js';
export * from './expect-report.js';
export * from './expect-verdict.js';
export * from './livemarks.js';
export * from './path-fix.js';
export * from './path-walk.js';
export * from './reach-paint.js';
export * from './reach.js';
export * from './service-status.js';
