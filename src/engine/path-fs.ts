/** The real file system for pathProblems (src/engine/privilege.ts): lstat and readlink. */
import { lstatSync, readlinkSync } from 'node:fs';
import type { PathFs } from './privilege.js';

export const systemPathFs: PathFs = {
  lstat(p) {
    try {
      const st = lstatSync(p);
      return { uid: st.uid, mode: st.mode, isSymbolicLink: st.isSymbolicLink() };
    } catch {
      return undefined;
    }
  },
  readlink: (p) => readlinkSync(p),
};
