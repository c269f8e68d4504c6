// Catalog scenarios run inside workerd: the tests (*.workerd.test.ts) run in the same workerd
// process as the canary (@cloudflare/vitest-pool-workers, a newer workerd than Miniflare's in
// the Node-side suite), execute catalog scenarios with the same engine against
// `exports.default`, and judge them with the same checkers. One worker serves every scenario of
// a file in turn, so this also shows the guarantees hold on a worker that has already been
// through other faults.
//
// What the pool allows decides what runs here:
// - it forces `no_handle_cross_request_promise_resolution`: one request cannot settle another's
//   promise. In-flight siblings need exactly that (the release request resumes them; an abort
//   fails them at once), so each scenario runs without its in-flight siblings: the fault, the
//   handles, the Durable Object's state and every later sibling, in the shared topology;
// - every request through `exports.default` costs more than the one before it, for as long as
//   the pool's workerd lives (workers-sdk#15446: ~15 ms at first, ~400 ms after 1,500), and each
//   test file gets a fresh one. So the files here run the scenarios of scenarios/recovery
//   (one per fault kind and place), a few hundred requests each, and no storms.
// Everything else, in-flight siblings included, runs in the Node-side suite (scenarios/regression.test.ts).
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { VariantName } from "../build/variants.ts";
import { judge } from "../checkers/index.ts";
import { type ScenarioTarget, executeScenario } from "../engine/execute.ts";
import { validateScenario } from "../engine/scenario.ts";
import type { Strategy } from "../protocol/recovery.ts";
import { type Deadline, DEFAULT_REQUEST_DEADLINE_MS as DEADLINE_MS, expiry } from "../runner/deadline.ts";
import recovery from "../../scenarios/recovery.scenarios.ts";

const strategy = env.WRH_STRATEGY as Strategy;
const variant = env.WRH_VARIANT as VariantName;

/** One exchange with the worker's own fetch handler, body included, within `deadline`. */
async function exchange(path: string, deadline: Deadline): Promise<Response> {
  const { expired, clear } = expiry(deadline, path);
  const send = async () => {
    const response = await exports.default.fetch(new Request(new URL(path, "http://canary.test")));
    return new Response(await response.text(), { status: response.status, headers: response.headers });
  };
  try {
    return await Promise.race([send(), expired]);
  } finally {
    clear();
  }
}

// In the shared topology both isolates are this one. The pool does not hand the worker's console
// output to the test, so runs record none.
const worker = {
  deadlineMs: DEADLINE_MS,
  fetchIsolate: (_isolate, path, deadline = DEADLINE_MS) => exchange(path, deadline),
  output: () => "",
} as ScenarioTarget;

/** Runs the named scenarios of scenarios/recovery.scenarios.ts, in order, and expects every guarantee to hold. */
export function catalogInsideWorkerd(names: readonly string[]): void {
  const scenarios = names.map((name) => {
    const index = recovery.findIndex((s) => s.name === name);
    if (index < 0) throw new Error(`no scenario ${name} in scenarios/recovery.scenarios.ts`);
    return validateScenario(recovery[index], `scenarios/recovery.scenarios.ts[${index}]`);
  });
  describe(`inside workerd: strategy ${strategy} on the ${variant} build, without in-flight siblings`, () => {
    for (const scenario of scenarios.filter((s) => s.expect[strategy])) {
      it(`${scenario.name}: ${scenario.description}`, async () => {
        const withoutInflight = { ...scenario, workload: { ...scenario.workload, inflight: {} } };
        const run = await executeScenario(worker, withoutInflight, { variant, strategy, topology: "shared", mutants: [], repeat: 1 });
        expect(judge(run).filter((v) => v.status !== "holds").map((v) => `${v.checker}: ${v.status}: ${v.summary}`)).toEqual([]);
      });
    }
  });
}
