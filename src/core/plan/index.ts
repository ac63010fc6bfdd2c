/** src/core/plan: the reconcile: (topology, live state) -> typed steps -> argv and scripts. Which rooms it may import: scripts/core-rooms.depcruise.cjs. */
export * from './destroy-report.js';
export * from './host-routes.js';
export * from './hosts-split.js';
export * from './plan-context.js';
export * from './plan-files.js';
export * from './plan-firewall.js';
export * from './plan-links.js';
export * from './plan-physical.js';
export * from './plan-routes.js';
export * from './plan.js';
export * from './render-workloads.js';
export * from './render.js';
export * from './root-approval.js';
export * from './steps.js';
