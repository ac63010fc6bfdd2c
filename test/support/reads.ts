/** What counts as only reading the system, for tests that check the helper changed nothing. */
const NS = '[A-Za-z0-9][A-Za-z0-9_.-]*';
/** commands of the batches observe sends to `ip -b` */
const READ_LINES = new Set(['addr show', 'route show table all type unicast', 'netconf show', 'netns list-id']);
/** lines of the chunked read: iproute2 forks `ip -j ...` reads inside each namespace */
const CHUNK_LINE = new RegExp(`^netns exec ${NS} (ip (-j -d -s -b /run/netns-lab/observe\\.\\d+\\.\\d+\\.batch|-j netns list-id)|tc -j qdisc show)$`);

export function isReadCall(argv: readonly string[], input = ''): boolean {
  const lines = input.split('\n').filter(Boolean);
  if (argv[0] === 'iptables-save') return argv.length === 1;
  if (argv.includes('sysctl')) return argv.includes('-n') && !argv.includes('-w');
  // impairments: the root qdiscs of one scope
  if (argv[0] === 'tc') return argv.slice(-3).join(' ') === 'qdisc show' || argv.slice(-3).join(' ') === '-j qdisc show';
  if (argv[0] !== 'ip') return false;
  if (argv.join(' ') === 'ip -force -b -') return lines.length > 0 && lines.every((l) => CHUNK_LINE.test(l));
  if (!argv.includes('-j')) return false;
  return !argv.includes('-b') || lines.every((l) => READ_LINES.has(l));
}

/** the one file observe writes (and removes): the constant batch its per-namespace children read */
export function isObserveWrite(w: string): boolean {
  return w === 'mkdir /run/netns-lab' || /^(write|unlink) \/run\/netns-lab\/observe\.\d+\.\d+\.batch$/.test(w);
}
