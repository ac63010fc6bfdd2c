/**
 * Batch files the helper writes for iproute2 children to read (observe's constant batch, an
 * apply's per-namespace batches) carry the writer's pid. A helper killed between writing and
 * removing them leaves them behind: the next helper removes those whose writer is gone.
 */
import type { Runner } from './runner.js';

export const SCRATCH_DIR = '/run/netns-lab';
export const APPLY_DIR = `${SCRATCH_DIR}/apply`;

// (with the temporary name of an atomic write, too: ".NAME.netns-lab.tmp")
const OBSERVE_FILE = /^\.?observe\.(\d+)\.\d+\.batch(\.netns-lab\.tmp)?$/;
const APPLY_FILE = /^\.?(\d+)\.[A-Za-z0-9][A-Za-z0-9_.-]*\.batch(\.netns-lab\.tmp)?$/;

let seq = 0;
/** a new observe batch file name of this process */
export const observeBatchFile = (): string => `${SCRATCH_DIR}/observe.${process.pid}.${++seq}.batch`;
/** the batch file of one namespace in an apply of this process */
export const applyBatchFile = (ns: string): string => `${APPLY_DIR}/${process.pid}.${ns}.batch`;

/**
 * Make dir (under SCRATCH_DIR) and check that both are private to this user: root reads
 * commands from these files, so nobody else may be able to write or swap them. False: do not
 * use them (the callers then run one process per namespace instead).
 */
export async function privateScratch(runner: Runner, dir: string): Promise<boolean> {
  try {
    await runner.mkdir(SCRATCH_DIR, 0o700);
    if (dir !== SCRATCH_DIR) await runner.mkdir(dir, 0o700);
    return (await runner.privateDir(SCRATCH_DIR)) && (dir === SCRATCH_DIR || (await runner.privateDir(dir)));
  } catch {
    return false;
  }
}

/** never fails: housekeeping must not stop an apply or an observation */
export async function sweepScratch(runner: Runner): Promise<void> {
  await sweep(runner).catch(() => undefined);
}

async function sweep(runner: Runner): Promise<void> {
  for (const [dir, re] of [[SCRATCH_DIR, OBSERVE_FILE], [APPLY_DIR, APPLY_FILE]] as const) {
    const names = await runner.listDir(dir).catch(() => [] as string[]);
    for (const f of names) {
      const pid = re.exec(f)?.[1];
      if (!pid || Number(pid) === process.pid) continue;
      if ((await runner.kind(`/proc/${pid}`)) === 'missing') await runner.unlink(`${dir}/${f}`).catch(() => undefined);
    }
  }
}
