/**
 * What the importers of other tools' labs (containerlab, Kathará) return: a topology and a report
 * of every construct they met, each mapped, reported (seen, not reproduced) or refused (the input
 * cannot be imported). Nothing is dropped silently.
 *
 * The workload fields (exec, services) follow /work/wt/CONTRACT-workloads.md (issue 16); they are
 * typed here so the importers produce exactly that shape whether or not the model has them yet.
 */
import type { Namespace, Topology } from '../model/model.js';

export type ImportStatus = 'mapped' | 'reported' | 'refused';

export interface ImportItem {
  /** the source file (relative to the lab) when a lab has several */
  file?: string;
  /** 1-based line in that file */
  line?: number;
  /** what was met, e.g. "node r1: binds", "r1.startup: ip route add" */
  construct: string;
  status: ImportStatus;
  message: string;
}

/** a command: argv array, or a string run by /bin/sh -c */
export type Command = string | string[];
export type ExecEntry = Command | { command: Command; user?: string };
export interface Service {
  name: string;
  command: Command;
  user?: string;
  env?: Record<string, string>;
  cwd?: string;
  restart?: 'no' | 'on-failure';
  maxRestarts?: number;
  ready?: { tcp: number; timeout?: number } | { file: string; timeout?: number };
}

export type ImportedNamespace = Namespace & { exec?: ExecEntry[]; services?: Service[] };
export type ImportedTopology = Omit<Topology, 'namespaces'> & { namespaces?: ImportedNamespace[] };

export type ImportOutcome = 'full' | 'partial' | 'invalid';

export interface ImportResult {
  /** absent when the input is refused */
  topology?: ImportedTopology;
  report: ImportItem[];
  outcome: ImportOutcome;
}

export function outcomeOf(report: readonly ImportItem[], hasTopology: boolean): ImportOutcome {
  if (!hasTopology || report.some((r) => r.status === 'refused')) return 'invalid';
  return report.some((r) => r.status === 'reported') ? 'partial' : 'full';
}

/** collects report items; `file` is set for every item added through it */
export class Reporter {
  readonly items: ImportItem[] = [];
  constructor(private readonly file?: string) {}
  add(status: ImportStatus, construct: string, message: string, line?: number, file = this.file): void {
    this.items.push({ ...(file !== undefined ? { file } : {}), ...(line !== undefined ? { line } : {}), construct, status, message });
  }
  mapped(construct: string, message: string, line?: number, file?: string): void { this.add('mapped', construct, message, line, file); }
  reported(construct: string, message: string, line?: number, file?: string): void { this.add('reported', construct, message, line, file); }
  refused(construct: string, message: string, line?: number, file?: string): void { this.add('refused', construct, message, line, file); }
  get refusedAny(): boolean { return this.items.some((i) => i.status === 'refused'); }
}

/** one line per item, compiler style: FILE:LINE: status: construct: message */
export function formatReport(report: readonly ImportItem[], defaultFile: string): string {
  return report.map((r) => `${r.file ?? defaultFile}${r.line !== undefined ? `:${r.line}` : ''}: ${r.status}: ${r.construct}: ${r.message}`).join('\n');
}

/** the items in order of file and line (items without a line first) */
export function sortReport(report: ImportItem[]): ImportItem[] {
  return report
    .map((r, i) => ({ r, i }))
    .sort((x, y) => (x.r.file ?? '').localeCompare(y.r.file ?? '') || (x.r.line ?? 0) - (y.r.line ?? 0) || x.i - y.i)
    .map((x) => x.r);
}
