// Before a worker of your own is judged, its profile must match it. Each route the profile
// names is asked once, each fault on a fresh workerd (a fault may poison the instance): a route
// that answers 404, a fault route that does not fail, a failure none of the profile's patterns
// recognises, a sibling or counter that does not answer 200, or a counter whose counts the
// patterns cannot read is a one-line error naming the route and what came back. Once the runs
// are planned, `proveFit` sends the exact requests they will send that must succeed (every
// object name, the sibling) and checks each answer means what the profile says. Without it a
// worker whose routes or names differ from the profile would be judged as losing every request.
// The panic route's answer also says which recovery the build uses, asked the way workers-rs's
// own suite asks it.
import type { FaultKind } from "../history/scenario.ts";
import { type Client, UNRECOGNISED, type Reading } from "../engine/client.ts";
import type { Strategy } from "../protocol/recovery.ts";
import { DEFAULT_REQUEST_DEADLINE_MS, DeadlineError } from "../runner/deadline.ts";
import { resolveOwnWorker, startOwnWorker } from "../runner/own-worker.ts";
import type { RunningWorker } from "../runner/start-worker.ts";
import { profileClient } from "./profile-client.ts";
import type { Profile } from "./profile.ts";
import { duration } from "../duration.ts";
import { InputError } from "../errors.ts";

export class ProfileMismatchError extends InputError {
  override name = "ProfileMismatchError";
}

/** What a route answered: its status (or `timeout`) and the profile's reading of it. */
export interface Answer {
  route: string;
  status: number | "timeout";
  reading: Reading;
  text: string;
  /** Milliseconds from the request to its answer (its deadline for a `timeout`). */
  ms: number;
}

/** What the preflight saw: each fault route's answer, by fault kind. */
export type Preflight = Partial<Record<FaultKind, Answer>>;

const snippet = (text: string) => JSON.stringify(text.length > 160 ? `${text.slice(0, 160)}…` : text);

/** Checks every route `profile` names against the worker at `target` (a wrangler config or built directory). */
export async function preflight(target: string, profile: Profile, requestDeadlineMs?: number): Promise<Preflight> {
  const resolved = await resolveOwnWorker(target, profile);
  const ask = asker(profileClient(profile));
  const mismatch = mismatchOf(target, profile);
  const onFreshWorker = async <T>(use: (worker: RunningWorker) => Promise<T>): Promise<T> => {
    const worker = await startOwnWorker(resolved, requestDeadlineMs);
    try {
      return await use(worker);
    } finally {
      await worker.dispose();
    }
  };
  // The routes that must succeed share one workerd: none of them faults.
  await onFreshWorker((worker) => checkSucceeding(worker, ask, mismatch, profile, ["wrh-preflight"]));
  const faults: Preflight = {};
  for (const [kind, route] of Object.entries(profile.faults) as [FaultKind, string][]) {
    const answer = await onFreshWorker((worker) => ask(worker, route));
    routeExists(answer, mismatch);
    // A fault that hangs is for the checkers to judge, not a mismatch.
    if (answer.status === 200) throw mismatch(answer, `(the ${kind} fault) answered 200 ${snippet(answer.text)}: it did not fail`);
    if (answer.reading.errorClass === UNRECOGNISED) {
      throw mismatch(answer, `(the ${kind} fault) answered ${answer.status} ${snippet(answer.text)}, which none of the profile's error patterns recognise`);
    }
    faults[kind] = answer;
  }
  return faults;
}

type Ask = (worker: RunningWorker, route: string) => Promise<Answer>;
type Mismatch = (answer: Answer, what: string) => ProfileMismatchError;

/** Asks a route once; a request past its deadline is an answer (`timeout`), not an error. */
const asker = (client: Client): Ask => async (worker, route) => {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const response = await worker.fetch(route);
    const text = await response.text();
    return { route, status: response.status, reading: client.read(response.status, response.headers, text), text, ms: ms() };
  } catch (error) {
    if (error instanceof DeadlineError) return { route, status: "timeout", reading: {}, text: "", ms: ms() };
    throw error;
  }
};

const routeExists = (answer: Answer, mismatch: Mismatch) => {
  if (answer.status === 404) throw mismatch(answer, `answered 404 ${snippet(answer.text)}: the worker has no such route`);
};

const mismatchOf = (target: string, profile: Profile): Mismatch => (answer, what) =>
  new ProfileMismatchError(`--worker ${target} does not match profile ${profile.name}: ${answer.route} ${what}; fix the profile's routes and patterns, or pass another --profile`);

/**
 * Asks the sibling route and the counter under each of `objects` (the engine's names, which the
 * profile's template turns into the worker's), on one workerd: every answer must be a 200 the
 * profile can read. Where the profile says names reach distinct objects, each name's first write
 * must count 1, and a name's second write 2.
 */
async function checkSucceeding(worker: RunningWorker, ask: Ask, mismatch: Mismatch, profile: Profile, objects: readonly string[]): Promise<void> {
  const client = profileClient(profile);
  if (profile.sibling) {
    const answer = await ask(worker, profile.sibling);
    routeExists(answer, mismatch);
    if (answer.status !== 200) throw mismatch(answer, `(the sibling route, which must succeed) answered ${statusText(answer)}`);
  }
  if (!profile.object || !client.objects) return;
  const counter = profile.object;
  const write = async (object: string, what: string) => {
    const answer = await ask(worker, client.objects!.write(object).path);
    if (answer.status !== 200) throw mismatch(answer, `(${what}) answered ${statusText(answer)}; every counter request a run sends must answer 200`);
    if (answer.reading.body === undefined) {
      throw mismatch(answer, `(${what}) answered ${snippet(answer.text)}, where the patterns memory /${counter.memory}/ and stored /${counter.stored}/ find no count`);
    }
    return { answer, memory: answer.reading.body.memory };
  };
  // A second name, so that a claim of distinct objects is put to the test even for one run.
  const names = counter.distinctIds ? [...objects, `${objects[0] ?? "wrh"}-distinct`] : objects;
  for (const object of names) {
    const first = await write(object, "the counter");
    if (counter.distinctIds && first.memory !== 1) {
      throw mismatch(first.answer, `(the counter, a name's first write) counts ${first.memory} in memory, not 1: its names do not reach distinct objects; set object.distinctIds to false`);
    }
  }
  const [again] = objects;
  if (counter.distinctIds && again !== undefined) {
    const second = await write(again, "the counter, a name written again");
    if (second.memory !== 2) throw mismatch(second.answer, `(the counter, a name's second write) counts ${second.memory} in memory, not 2: it is not a counter the state checks can read`);
  }
}

const statusText = (answer: Answer) => (answer.status === "timeout" ? "nothing before the request's deadline (a debug build may need a longer --deadline)" : `${answer.status} ${snippet(answer.text)}`);

/**
 * Proves the profile fits the worker for the runs planned: sends the requests those runs must
 * get 200s for (the sibling route, the counter under every object name the runs use) to a fresh
 * workerd, and checks each answer as `preflight` does.
 */
export async function proveFit(target: string, profile: Profile, objects: readonly string[], requestDeadlineMs?: number): Promise<void> {
  if (!profile.sibling && !(profile.object && objects.length)) return;
  const worker = await startOwnWorker(await resolveOwnWorker(target, profile), requestDeadlineMs);
  try {
    await checkSucceeding(worker, asker(profileClient(profile)), mismatchOf(target, profile), profile, objects);
  } finally {
    await worker.dispose();
  }
}

/** How many times its slowest preflight answer a request may take, at the least. */
const DEADLINE_HEADROOM = 5;

/**
 * The request deadline for a worker of your own: `givenMs` (--deadline) when given; else the
 * default, stretched to DEADLINE_HEADROOM times the slowest fault answer of the preflight (each
 * on a fresh workerd, so it includes compiling the module), since a debug build (`worker-build
 * --dev`, what workers-rs's own tests use) answers many times slower than a release build and
 * would be judged hung. Says what it chose and why.
 */
export function fitDeadline(preflight: Preflight, givenMs?: number): { ms: number; note: string } {
  if (givenMs !== undefined) return { ms: givenMs, note: `request deadline ${givenMs / 1000} s (--deadline)` };
  const answered = Object.values(preflight).filter((a) => a.status !== "timeout");
  const slowest = Math.max(0, ...answered.map((a) => a.ms));
  if (slowest * DEADLINE_HEADROOM <= DEFAULT_REQUEST_DEADLINE_MS) {
    return { ms: DEFAULT_REQUEST_DEADLINE_MS, note: `request deadline ${DEFAULT_REQUEST_DEADLINE_MS / 1000} s (the default; the slowest fault answered in ${duration(slowest)})` };
  }
  const ms = Math.ceil((slowest * DEADLINE_HEADROOM) / 1000) * 1000;
  return { ms, note: `request deadline ${ms / 1000} s: the slowest fault answered in ${duration(slowest)} (a debug build?), and a request may take ${DEADLINE_HEADROOM} times that; --deadline chooses another` };
}

/** Classes a panic=abort build's runtime answers a panic with (it resets, or workerd cancels). */
const ABORTS = new Set(["Abort", "Canceled", "Terminated"]);

/**
 * The recovery the worker's build uses, from how its panic route answered: a PanicError is
 * panic=unwind; an abort is panic=abort, whose runtime resets the instance. Anything else is
 * not a guess to make.
 */
export function strategyFrom(preflight: Preflight, profile: Profile): Strategy {
  const panic = preflight.panic;
  if (!panic) throw new ProfileMismatchError(`profile ${profile.name} has no panic route to tell how the worker recovers; pass --strategy reset or --strategy unwind`);
  if (panic.reading.errorClass === "PanicError") return "unwind";
  if (panic.reading.errorClass && ABORTS.has(panic.reading.errorClass)) return "reset";
  throw new ProfileMismatchError(
    `cannot tell how the worker recovers: its panic route ${panic.route} answered ${panic.status}${panic.reading.errorClass ? ` (${panic.reading.errorClass})` : ""} ${snippet(panic.text)}, ` +
    "neither a PanicError nor an abort; pass --strategy reset or --strategy unwind",
  );
}
