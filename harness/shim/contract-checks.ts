// The recovery contract, one check per row of its table, as executable expectations. A check
// drives a running canary through the canary protocol and fails (a vitest assertion) when the
// runtime breaks the row for the strategy under test. The same checks verify the reference
// runtime (contract.test.ts) and prove they catch each mutant (mutants.test.ts).
//
// Checks only compare values measured before and after a fault (generation, destructor count,
// hook runs), so they hold on a worker that already served other checks.
import { expect } from "vitest";
import { expectedChecksum, checksum } from "../protocol/integrity.ts";
import type { FailureBody, Mutant, Strategy } from "../protocol/recovery.ts";

/** Anything that can send a canary request: Miniflare from Node, or `exports.default` in workerd. */
export interface CanaryClient {
  fetch(path: string): Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;
}

export interface CheckTarget {
  client: CanaryClient;
  strategy: Strategy;
  /** Mutants the worker was started with (none when verifying the reference runtime). */
  mutants: readonly Mutant[];
}

export interface ContractCheck {
  /** The contract row (DESIGN §4) this check covers. */
  row: string;
  name: string;
  /** Strategies the row says something testable about; all by default. */
  strategies?: readonly Strategy[];
  /** Worker settings the check needs, e.g. short park deadlines to expose hangs quickly. */
  worker?: { requestDeadlineMs?: number; parkTimeoutMs?: number };
  /**
   * One request settles another's promise (releasing parked siblings, failing them on an
   * abort). workerd allows that by default; @cloudflare/vitest-pool-workers turns it off.
   */
  crossRequest?: true;
  run(target: CheckTarget): Promise<void>;
}

interface Reply {
  status: number;
  generation: number;
  error: string | null;
  // Bodies are JSON objects; checks read the fields they need.
  body: Record<string, any>;
}

async function call(t: CheckTarget, path: string): Promise<Reply> {
  const response = await t.client.fetch(path);
  const text = await response.text();
  let body: Record<string, any>;
  try {
    body = JSON.parse(text);
  } catch {
    // Not from the canary: e.g. workerd cancelling a request it found hung.
    body = { error: "NotCanary", message: text.slice(0, 200) };
  }
  return { status: response.status, generation: Number(response.headers.get("wrh-generation")), error: response.headers.get("wrh-error"), body };
}

/** Runtime state as it is now: reading it never enters the guest (so never resets it). */
const stateNow = async (t: CheckTarget) => (await call(t, "/__harness/info")).body;

/** Runtime state of a live instance (`/stats` first: the runtime instantiates lazily). */
async function info(t: CheckTarget) {
  await call(t, "/stats");
  return stateNow(t);
}
const stats = async (t: CheckTarget) => (await call(t, "/stats")).body;

/** What each strategy must show; `undefined` means the row says nothing for that strategy. */
function per<T>(t: CheckTarget, expected: { none?: T; reset?: T; unwind?: T }): T | undefined {
  return expected[t.strategy];
}

function expectFailure(reply: Reply, error: FailureBody["error"], message: RegExp, critical: boolean): void {
  expect({ status: reply.status, error: reply.error, class: reply.body.error, critical: reply.body.critical })
    .toEqual({ status: 500, error, class: error, critical });
  expect(reply.body.message).toMatch(message);
}

/** How an abort (trap, OOM, overflow) must look under each strategy. */
function expectAbort(t: CheckTarget, reply: Reply, message: RegExp): void {
  expectFailure(reply, "Abort", message, t.strategy !== "none");
}

/** Polls until `condition` holds: waits for a state the canary reports, never for time to pass. */
async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Parks `count` requests inside Rust and returns their pending replies, once all are parked. */
async function parkSiblings(t: CheckTarget, count: number, firstSeed: number): Promise<Promise<Reply>[]> {
  const base = (await call(t, "/__harness/parked")).body.parked as number;
  const siblings = Array.from({ length: count }, (_, i) => call(t, `/park?seed=${firstSeed + i}`));
  // If the check fails before awaiting them, stopping the worker rejects them: not an
  // unhandled rejection, the failure that matters is the check's own.
  for (const sibling of siblings) sibling.catch(() => {});
  await until(`${count} siblings are parked`, async () => (await call(t, "/__harness/parked")).body.parked === base + count);
  return siblings;
}

function expectIntact(replies: Reply[], firstSeed: number): void {
  expect(replies.map((r) => [r.status, r.body.intact, r.body.released, r.body.checksum]))
    .toEqual(replies.map((_, i) => [200, true, true, expectedChecksum(firstSeed + i)]));
}

/**
 * After an abort: recovering strategies serve the next request from a new generation; `none`
 * goes on with the instance that trapped.
 */
async function expectRecoveredAfterAbort(t: CheckTarget, generation: number): Promise<void> {
  if (t.strategy === "none") {
    expect((await call(t, "/stats")).generation).toBe(generation);
    return;
  }
  const next = await call(t, "/ok");
  expect(next.status).toBe(200);
  expect(next.generation).toBe(generation + 1);
}

let unique = 0;
const uniqueName = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${unique++}`;

// Short deadlines: a sibling that should have failed fast but hangs shows up in seconds.
const FAST_FAIL = { requestDeadlineMs: 4_000, parkTimeoutMs: 2_500 };

const ABORT_FAULTS: { path: string; message: (t: CheckTarget) => RegExp }[] = [
  { path: "/abort", message: () => /^RuntimeError: unreachable$/ },
  { path: "/oom", message: () => /^RuntimeError: unreachable$/ },
  { path: "/stack-overflow", message: () => /^RangeError: Maximum call stack size exceeded$/ },
  {
    path: "/panic-in-drop",
    // A panic=abort build traps at the first panic; an unwind build at the one in Drop.
    message: (t) => t.strategy === "unwind"
      ? /^panicked: panic while unwinding: panic in Drop while unwinding; RuntimeError: unreachable$/
      : /^panicked: first panic, before the one in Drop; RuntimeError: unreachable$/,
  },
];

export const CONTRACT_CHECKS: readonly ContractCheck[] = [
  {
    row: "panic in a sync export",
    name: "fails the request only; unwind keeps the instance and runs destructors",
    async run(t) {
      const before = await stats(t);
      const panic = await call(t, "/panic");
      if (t.strategy === "unwind") expectFailure(panic, "PanicError", /^canary panic on request \d+$/, false);
      else expectAbort(t, panic, /^panicked: canary panic on request \d+; RuntimeError: unreachable$/);
      const after = await stats(t);
      expect(after.generation).toBe(before.generation + (t.strategy === "reset" ? 1 : 0));
      if (t.strategy === "unwind") {
        expect(after.drops).toBe(before.drops + 1);
        expect(after.panicking).toBe(false);
      }
      if (t.strategy === "none") expect(after.drops).toBe(before.drops);
    },
  },
  {
    row: "panic in an async export / after an await",
    name: "the faulting request gets a prompt failure, never a hang",
    async run(t) {
      const { generation } = await call(t, "/ok");
      const panic = await call(t, "/panic-after-await?ms=1");
      if (t.strategy === "unwind") expectFailure(panic, "PanicError", /^canary panic after await$/, false);
      else expectAbort(t, panic, /^panicked: canary panic after await; RuntimeError: unreachable$/);
      const next = await call(t, "/ok");
      expect(next.generation).toBe(generation + (t.strategy === "reset" ? 1 : 0));
    },
  },
  ...ABORT_FAULTS.map(({ path, message }): ContractCheck => ({
    row: "unreachable, OOM, stack overflow, panic while unwinding",
    name: `${path} is an abort: flag set, hook once, reset on next entry`,
    async run(t) {
      const before = await info(t);
      expectAbort(t, await call(t, path), message(t));
      const aborted = await stateNow(t);
      if (t.strategy === "none") {
        expect(aborted).toMatchObject({ terminated: false, abortHookRuns: before.abortHookRuns, generation: before.generation });
      } else {
        expect(aborted).toMatchObject({
          terminated: true, resetPending: true, abortHookRuns: before.abortHookRuns + 1, reinitRequests: before.reinitRequests + 1,
        });
      }
      await expectRecoveredAfterAbort(t, before.generation);
      if (t.strategy !== "none") expect(await info(t)).toMatchObject({ terminated: false, resets: before.resets + 1 });
    },
  })),
  {
    row: "unreachable, OOM, stack overflow",
    name: "without recovery the trapped instance stays poisoned",
    strategies: ["none"],
    async run(t) {
      await call(t, "/abort");
      // The trap left the shared state borrowed: every later request that needs it fails.
      expectAbort(t, await call(t, "/ok"), /already borrowed/);
      expect((await stats(t)).served).toBe(null);
    },
  },
  {
    row: "JS import throws through Rust frames",
    name: "recoverable under unwind (destructors ran), critical under reset",
    async run(t) {
      const before = await stats(t);
      const reply = await call(t, "/js-error");
      expectFailure(reply, "JsError", /^js error thrown through Rust frames$/, t.strategy === "reset");
      const after = await stats(t);
      expect(after.generation).toBe(before.generation + (t.strategy === "reset" ? 1 : 0));
      // Two Rust frames lie between the export and the import; unwinding drops both.
      const drops = per(t, { none: before.drops, unwind: before.drops + 2 });
      if (drops !== undefined) expect(after.drops).toBe(drops);
    },
  },
  {
    row: "abort in an inner frame of a re-entrant call",
    name: "outer frames never continue after an inner abort, even when JS swallows it",
    async run(t) {
      const before = await info(t);
      const reply = await call(t, "/reenter?depth=4&at=3&fault=abort&swallow=1");
      if (t.strategy === "none") {
        expect(reply.status).toBe(200);
        expect(reply.body.completed).toEqual([2, 1]);
      } else {
        expectAbort(t, reply, /^RuntimeError: unreachable$/);
        // One abort crossed three boundaries; the hook still runs once.
        expect((await info(t)).abortHookRuns).toBe(before.abortHookRuns + 1);
      }
      await expectRecoveredAfterAbort(t, before.generation);
    },
  },
  {
    row: "abort in an inner frame of a re-entrant call",
    name: "a panic or JS error at depth k unwinds every level above it",
    strategies: ["unwind"],
    async run(t) {
      const before = await stats(t);
      expectFailure(await call(t, "/reenter?depth=4&at=3&fault=panic"), "PanicError", /^panic at depth 3$/, false);
      expect((await stats(t)).drops).toBe(before.drops + 3);
      expectFailure(await call(t, "/reenter?depth=3&at=2&fault=js-error"), "JsError", /^js error at depth 2$/, false);
      const swallowed = await call(t, "/reenter?depth=4&at=3&fault=panic&swallow=1");
      expect(swallowed.body.completed).toEqual([2, 1]);
      expect((await stats(t)).generation).toBe(before.generation);
    },
  },
  {
    row: "in-flight sibling whose continuation targets a dead generation",
    name: "siblings parked in Rust fail fast with StaleInstance when the instance aborts",
    worker: FAST_FAIL,
    crossRequest: true,
    async run(t) {
      const siblings = await parkSiblings(t, 5, 100);
      await call(t, "/abort");
      if (t.strategy === "none") {
        // Nothing died, so they are still parked; released, they resume on the instance that
        // trapped and trip over the state it left borrowed.
        expect((await call(t, "/__harness/parked")).body.parked).toBe(5);
        await call(t, "/__harness/release");
        for (const reply of await Promise.all(siblings)) expectAbort(t, reply, /already borrowed/);
      } else {
        // Failed at the abort itself, not left to wait for a release or their park deadline.
        expect((await call(t, "/__harness/parked")).body.parked).toBe(0);
        const replies = await Promise.all(siblings);
        expect(replies.map((r) => r.body.error)).toEqual(replies.map(() => "StaleInstance"));
      }
    },
  },
  {
    row: "in-flight sibling whose continuation targets a dead generation",
    name: "a panic leaves parked siblings and their memory untouched",
    strategies: ["unwind"],
    worker: FAST_FAIL,
    crossRequest: true,
    async run(t) {
      const siblings = await parkSiblings(t, 5, 200);
      await call(t, "/panic");
      await call(t, "/__harness/release");
      expectIntact(await Promise.all(siblings), 200);
    },
  },
  {
    row: "JS object / handle from an earlier generation used",
    name: "an object from a dead generation is refused with StaleObject",
    async run(t) {
      const { id } = (await call(t, "/object/new?text=note-1")).body;
      const read = await call(t, `/object/read?id=${id}`);
      expect(read.body).toEqual({ text: "note-1", checksum: checksum(new TextEncoder().encode("note-1")) });
      await call(t, "/abort");
      const stale = await call(t, `/object/read?id=${id}`);
      if (t.strategy === "none") expect(stale.body.text).toBe("note-1");
      else expectFailure(stale, "StaleObject", /^handle from generation \d+ used in generation \d+$/, false);
    },
  },
  {
    row: "Durable Object in-memory state (shared topology)",
    name: "kept across panics under unwind, lost on reset, rebuilt from storage",
    async run(t) {
      const counter = `/do/${uniqueName("memory")}`;
      for (let i = 0; i < 3; i++) await call(t, `${counter}/increment`);
      await call(t, "/panic");
      expect((await call(t, `${counter}/read`)).body).toEqual(per(t, {
        none: { memory: 3, stored: 3 }, reset: { memory: 0, stored: 3 }, unwind: { memory: 3, stored: 3 },
      }));
      const inside = await call(t, `${counter}/panic`);
      expect(inside.body.error).toBe(t.strategy === "unwind" ? "PanicError" : "Abort");
      // The increment made before the panic survives only where the instance does.
      expect((await call(t, `${counter}/read`)).body).toEqual(per(t, {
        none: { memory: 4, stored: 3 }, reset: { memory: 0, stored: 3 }, unwind: { memory: 4, stored: 3 },
      }));
      await call(t, "/abort");
      expect((await call(t, `${counter}/read`)).body.memory).toBe(t.strategy === "none" ? 4 : 0);
    },
  },
  {
    row: "Durable Object storage (acknowledged writes)",
    name: "no acknowledged write is lost, whatever the fault",
    async run(t) {
      const counter = `/do/${uniqueName("stored")}`;
      let acknowledged = 0;
      const faults = ["/panic", "/abort", "/stack-overflow", "/js-error", "/panic-in-drop", "/panic-after-await?ms=1", `${counter}/panic`];
      // Without recovery these leave the instance unable to serve the read itself (memory
      // exhausted, the counter's state borrowed for good); storage is still intact.
      if (t.strategy !== "none") faults.push("/oom", `${counter}/abort`);
      for (const fault of faults) {
        const write = await call(t, `${counter}/increment`);
        if (write.status === 200) acknowledged = write.body.stored;
        await call(t, fault);
        expect((await call(t, `${counter}/read`)).body.stored, `after ${fault}`).toBe(acknowledged);
      }
      expect(acknowledged).toBe(faults.length);
    },
  },
  {
    row: "stack pointer and allocator after unwinding",
    name: "a storm of 10,000 panics and 10,000 JS errors leaves stack pointer and memory where they were",
    strategies: ["unwind"],
    async run(t) {
      for (const [fault, error] of [["panic", "PanicError"], ["js-error", "JsError"]] as const) {
        const { body } = await call(t, `/storm?fault=${fault}&count=10000`);
        expect(body.classes).toEqual({ [error]: 10_000 });
        expect(body.after).toEqual(body.before);
      }
      expect((await call(t, "/echo?text=still-fine")).body.text).toBe("still-fine");
    },
  },
  {
    row: "host checks before marshalling arguments",
    name: "the first call after an abort gets its string argument intact",
    async run(t) {
      await call(t, "/abort");
      const text = `after-abort-${"x".repeat(64)}`;
      const echo = await call(t, `/echo?text=${text}`);
      expect(echo.body).toEqual({ text, checksum: checksum(new TextEncoder().encode(text)) });
    },
  },
  {
    row: "reset re-instantiates once",
    name: "one abort means exactly one reset",
    strategies: ["reset", "unwind"],
    async run(t) {
      const before = await info(t);
      await call(t, "/abort");
      const generations = [];
      for (let i = 0; i < 3; i++) generations.push((await call(t, "/ok")).generation);
      expect(generations).toEqual([before.generation + 1, before.generation + 1, before.generation + 1]);
      expect((await info(t)).resets).toBe(before.resets + 1);
    },
  },
  {
    row: "info",
    name: "the worker reports its build, strategy and generation",
    async run(t) {
      const reply = await call(t, "/__harness/info");
      expect(reply.body).toMatchObject({ strategy: t.strategy, mutants: t.mutants, generation: reply.generation });
      expect(reply.body.ehEncoding).toEqual(t.strategy === "unwind" ? expect.stringMatching(/^(legacy|exnref)$/) : "none");
    },
  },
];

export function checksFor(strategy: Strategy): ContractCheck[] {
  return CONTRACT_CHECKS.filter((check) => !check.strategies || check.strategies.includes(strategy));
}
