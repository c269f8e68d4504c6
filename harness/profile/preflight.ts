// Before a worker of your own is judged, its profile must match it. Each route the profile
// names is asked once, each fault on a fresh workerd (a fault may poison the instance): a route
// that answers 404, a fault route that does not fail, a failure none of the profile's patterns
// recognises, or a counter whose counts the patterns cannot read is a one-line error naming the
// route and what came back. Without it a worker whose routes differ from the profile would be
// judged as losing every request. The panic route's answer also says which recovery the build
// uses, asked the way workers-rs's own suite asks it.
import type { FaultKind } from "../history/scenario.ts";
import { UNRECOGNISED, type Reading } from "../engine/client.ts";
import type { Strategy } from "../protocol/recovery.ts";
import { DeadlineError } from "../runner/deadline.ts";
import { resolveOwnWorker, startOwnWorker } from "../runner/own-worker.ts";
import type { RunningWorker } from "../runner/start-worker.ts";
import { profileClient } from "./profile-client.ts";
import type { Profile } from "./profile.ts";

export class ProfileMismatchError extends Error {
  override name = "ProfileMismatchError";
}

/** What a route answered: its status (or `timeout`) and the profile's reading of it. */
export interface Answer {
  route: string;
  status: number | "timeout";
  reading: Reading;
  text: string;
}

/** What the preflight saw: each fault route's answer, by fault kind. */
export type Preflight = Partial<Record<FaultKind, Answer>>;

const snippet = (text: string) => JSON.stringify(text.length > 160 ? `${text.slice(0, 160)}…` : text);

/** Checks every route `profile` names against the worker at `target` (a wrangler config or built directory). */
export async function preflight(target: string, profile: Profile, requestDeadlineMs?: number): Promise<Preflight> {
  const resolved = await resolveOwnWorker(target, profile);
  const client = profileClient(profile);
  const mismatch = (answer: Answer, what: string) =>
    new ProfileMismatchError(`--worker ${target} does not match profile ${profile.name}: ${answer.route} ${what}; fix the profile's routes and patterns, or pass another --profile`);
  const ask = async (worker: RunningWorker, route: string): Promise<Answer> => {
    try {
      const response = await worker.fetch(route);
      const text = await response.text();
      return { route, status: response.status, reading: client.read(response.status, response.headers, text), text };
    } catch (error) {
      if (error instanceof DeadlineError) return { route, status: "timeout", reading: {}, text: "" };
      throw error;
    }
  };
  const onFreshWorker = async <T>(use: (worker: RunningWorker) => Promise<T>): Promise<T> => {
    const worker = await startOwnWorker(resolved, requestDeadlineMs);
    try {
      return await use(worker);
    } finally {
      await worker.dispose();
    }
  };
  const answered = (answer: Answer) => {
    if (answer.status === 404) throw mismatch(answer, `answered 404 ${snippet(answer.text)}: the worker has no such route`);
  };

  // The routes that must succeed share one workerd: none of them faults.
  await onFreshWorker(async (worker) => {
    if (profile.sibling) {
      const answer = await ask(worker, profile.sibling);
      answered(answer);
      if (answer.status !== 200 && answer.status !== "timeout") throw mismatch(answer, `(the sibling route, which must succeed) answered ${answer.status} ${snippet(answer.text)}`);
    }
    if (profile.object && client.objects) {
      const answer = await ask(worker, client.objects.read("wrh-preflight").path);
      answered(answer);
      if (answer.status === 200 && answer.reading.body === undefined) {
        throw mismatch(answer, `(the counter) answered ${snippet(answer.text)}, where the patterns memory /${profile.object.memory}/ and stored /${profile.object.stored}/ find no count`);
      }
    }
  });
  const faults: Preflight = {};
  for (const [kind, route] of Object.entries(profile.faults) as [FaultKind, string][]) {
    const answer = await onFreshWorker((worker) => ask(worker, route));
    answered(answer);
    // A fault that hangs is for the checkers to judge, not a mismatch.
    if (answer.status === 200) throw mismatch(answer, `(the ${kind} fault) answered 200 ${snippet(answer.text)}: it did not fail`);
    if (answer.reading.errorClass === UNRECOGNISED) {
      throw mismatch(answer, `(the ${kind} fault) answered ${answer.status} ${snippet(answer.text)}, which none of the profile's error patterns recognise`);
    }
    faults[kind] = answer;
  }
  return faults;
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
