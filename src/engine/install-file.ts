/**
 * The install script's file, for `sudo bash FILE`: in a new private directory (mkdtemp, 0700),
 * created with O_EXCL|O_NOFOLLOW, mode 0600. No other user can have made it beforehand, link it
 * elsewhere or write to it before sudo runs it (a fixed name in /tmp allowed all three).
 */
import { closeSync, constants, lstatSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function writePrivateScript(script: string, base = tmpdir()): { file: string; remove(): void } {
  const dir = mkdtempSync(join(base, 'netns-lab-install-'));
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== process.getuid?.() || (st.mode & 0o077) !== 0) throw new Error(`${dir} is not a private directory`);
  const file = join(dir, 'install-helper.sh');
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try { writeSync(fd, script); } finally { closeSync(fd); }
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
