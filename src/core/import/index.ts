/** src/core/import: other tools' labs and the running machine -> a topology and a report of what was not mapped. Which rooms it may import: scripts/core-rooms.depcruise.cjs. */
export * from './adopt.js';
export * from './import-build.js';
export * from './import-clab-links.js';
export * from './import-clab-mgmt.js';
export * from './import-clab-nodes.js';
export * from './import-clab.js';
export * from './import-kathara-conf.js';
export * from './import-kathara.js';
export * from './import-lines.js';
export * from './import-names.js';
export * from './import-report.js';
export * from './import-yaml.js';
// ImportResult (also in import-report.ts): the names of importer.ts are under importer
export * as importer from './importer.js';
