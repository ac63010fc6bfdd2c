/** src/core/observe: the kernel's state read back: ip/iptables/sysctl output and monitor events. Which rooms it may import: scripts/core-rooms.depcruise.cjs. */
export * from './intent.js';
export * from './monitor.js';
export * from './observe.js';
