/** doctor: the article's "if not" checks on the live state; with fix, repair the chosen findings. */
import { DOCTOR_HOST_SYSCTLS, DOCTOR_NS_SYSCTLS, doctor as examineLive, type Finding } from '../../core/diagnose/doctor.js';
import type { Topology } from '../../core/model/model.js';
import { observeScope, plan } from '../../core/plan/plan.js';
import { summarize } from '../../core/plan/render.js';
import { Phase, type Step } from '../../core/plan/steps.js';
import { execute } from '../execute.js';
import { withLock } from '../lock.js';
import { observe } from '../observe.js';
import type { Runner } from '../runner.js';
import { stepFailed, validTopology, type Handler } from './context.js';

async function examine(runner: Runner, t: Topology): Promise<Finding[]> {
  const scope = observeScope(t);
  const sysctls = { ...scope.sysctls };
  for (const ns of t.namespaces ?? []) sysctls[ns.name] = [...new Set([...(sysctls[ns.name] ?? []), ...DOCTOR_NS_SYSCTLS])];
  const live = await observe(runner, { sysctls, hostSysctls: DOCTOR_HOST_SYSCTLS });
  return examineLive(t, live, plan(t, live));
}

/** links up before routes through them (the kernel refuses a gateway on a down link) */
function phaseOf(s: Step): Phase {
  return s.op.startsWith('fw-') || s.op === 'ip-forward' ? Phase.Firewall
    : s.op === 'sysctl' || s.op.startsWith('dns-') ? Phase.Files : s.op === 'link-set' ? Phase.Create : Phase.Configure;
}

export const doctor: Handler<'doctor'> = async (req, ctx) => {
  const { runner } = ctx;
  const t = validTopology(req.topology);
  const findings = await examine(runner, t);
  if (!req.fix?.length) return { findings };
  return withLock(runner, `topology/${t.name}`, ctx.lockWaitMs, () => {}, async () => {
    const chosen = findings.filter((f) => req.fix!.includes(f.code) && f.fix);
    const steps = chosen.flatMap((f) => f.fix!.steps);
    const r = await execute(steps.map((step) => ({ phase: phaseOf(step), step, summary: summarize(step) })), {
      runner, onProgress: (done, total, message) => ctx.progress(message, done, total),
    });
    if (!r.ok) stepFailed('fix failed: ', r.failure!);
    return { fixed: chosen.map((f) => f.code), findings: await examine(runner, t) };
  });
};
