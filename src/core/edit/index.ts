/** src/core/edit: canvas gestures -> minimal text edits of the file. Which rooms it may import: scripts/core-rooms.depcruise.cjs. */
export * from './edit-policy.js';
// EditOptions (also in edit-policy.ts): the names of edits.ts are under edits
export * as edits from './edits.js';
export * from './expect-edit.js';
export * from './gestures.js';
export * from './renumber.js';
