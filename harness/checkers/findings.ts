// Root causes, not cells: every guarantee a real workers-rs build breaks is attributed to a
// finding (docs/findings.md) by a signature, the guarantee plus the shape of its evidence. One
// cause is then counted once, with the runs it shows in, however many checkers and scenarios it
// breaks. A break no signature matches is NEW: nobody has explained it yet, and it fails the run.
//
// The registry (./findings.json) is blessed by hand: a signature is added when a finding is
// written down with its evidence, never to make a run pass.
import registry from "./findings.json" with { type: "json" };
import { OWN_WORKER, type ScenarioRun } from "../history/run.ts";
import type { FaultKind, FaultPlace, Topology } from "../history/scenario.ts";
import type { Strategy } from "../protocol/recovery.ts";
import type { Verdict } from "./verdict.ts";

/** What a break looks like when a finding causes it. Every field given must match. */
export interface Signature {
  /** The guarantee that breaks. */
  checker: string;
  /** A regular expression the verdict's summary matches: the shape of the evidence. */
  summary: string;
  /** Where it shows: builds (e.g. `real-abort`), strategies, fault kinds and places, topologies. */
  builds?: string[];
  strategies?: Strategy[];
  kinds?: FaultKind[];
  places?: FaultPlace[];
  topologies?: Topology[];
}

/** A root cause, as docs/findings.md explains it. */
export interface Finding {
  /** `F1`, `F2`, …: the heading in docs/findings.md. */
  id: string;
  title: string;
  /** Whose it is and what upstream says of it, in one line (docs/findings.md has the references). */
  upstream: string;
  signatures: Signature[];
}

/** The id of a break no finding explains. */
export const NEW_FINDING = "NEW";

export const FINDINGS: readonly Finding[] = (registry as { findings: Finding[] }).findings;

const compiled = new Map<Signature, RegExp>();
const pattern = (signature: Signature) => {
  let re = compiled.get(signature);
  if (!re) compiled.set(signature, (re = new RegExp(signature.summary)));
  return re;
};

function matches(signature: Signature, run: ScenarioRun, v: Verdict): boolean {
  const { fault } = run.scenario;
  const within = <T>(allowed: readonly T[] | undefined, value: T) => allowed === undefined || allowed.includes(value);
  // A worker of your own is a workers-rs build of unknown mode: its strategy says which.
  const build = run.config.variant === OWN_WORKER || within(signature.builds, run.config.variant);
  return signature.checker === v.checker && build && within(signature.strategies, run.config.strategy) &&
    within(signature.kinds, fault.kind) && within(signature.places, fault.place) && within(signature.topologies, run.config.topology) &&
    pattern(signature).test(v.summary);
}

/**
 * A summary's parts: one verdict may report several problems, joined by "; " (a semicolon
 * inside parentheses belongs to its part). Each part needs a finding of its own.
 */
export function summaryParts(summary: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < summary.length; i++) {
    const c = summary[i];
    if (c === "(") depth++;
    else if (c === ")") depth = Math.max(0, depth - 1);
    else if (c === ";" && summary[i + 1] === " " && depth === 0) {
      parts.push(summary.slice(start, i));
      start = i + 2;
    }
  }
  return [...parts, summary.slice(start)];
}

/**
 * The findings that explain a broken verdict of `run`, joined by `+` (e.g. `F1+F2`): for each
 * part of its summary, the first finding in the registry with a matching signature, or NEW.
 */
export function attribute(run: ScenarioRun, v: Verdict, findings: readonly Finding[] = FINDINGS): string {
  const ids = summaryParts(v.summary).map((part) =>
    findings.find((f) => f.signatures.some((s) => matches(s, run, { ...v, summary: part })))?.id ?? NEW_FINDING);
  return [...new Set(ids)].join("+");
}

/** The finding ids a verdict was attributed to (see attribute). */
export const findingIds = (v: Pick<Verdict, "finding">): string[] => (v.finding ? v.finding.split("+") : []);

export function findingById(id: string, findings: readonly Finding[] = FINDINGS): Finding | undefined {
  return findings.find((f) => f.id === id);
}
