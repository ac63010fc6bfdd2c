/**
 * The test hooks of an execute in one place: NETNS_LAB_FAULT_AT (fail at a step index as if
 * the kernel refused it) and NETNS_LAB_KILL_AT (SIGKILL the helper before a step index: a
 * deterministic "kill -9 in the middle of an apply"). Every way of running steps (a group, a
 * chunk of namespaces) asks the gate how many of its steps may run, runs those, then lets the
 * gate stop it. Without hooks the gate lets everything through.
 */
export interface StepGate {
  /** a hook is set: groups and chunks run one at a time (nothing after the hook's step may run) */
  readonly hooked: boolean;
  /** how many of these items (in plan order) run before the hook's step */
  cut(items: readonly { index: number }[]): number;
  /**
   * after the items before the cut ran: dies at the kill step; returns the step where the
   * injected fault stops the run (undefined: no hook in these items)
   */
  after<I extends { index: number }>(items: readonly I[]): I | undefined;
}

export function stepGate(opts: { faultAt?: number; killAt?: number; die?: () => void }): StepGate {
  const at = (items: readonly { index: number }[], index: number | undefined) => (index === undefined ? -1 : items.findIndex((i) => i.index === index));
  const cut = (items: readonly { index: number }[]) => Math.min(...[at(items, opts.faultAt), at(items, opts.killAt)].filter((x) => x >= 0), items.length);
  return {
    hooked: opts.faultAt !== undefined || opts.killAt !== undefined,
    cut,
    after(items) {
      const n = cut(items);
      if (n === items.length) return undefined;
      if (at(items, opts.killAt) === n) (opts.die ?? (() => process.kill(process.pid, 'SIGKILL')))();
      return items[n];
    },
  };
}
