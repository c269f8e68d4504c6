// The recovery contract checked from inside workerd: the tests run in the same workerd process
// as the canary (@cloudflare/vitest-pool-workers, a newer workerd than the Node-side suite's)
// and talk to it through `exports.default`. One worker serves every check, so this also shows
// the checks hold on a worker that has already been through other faults.
import { env, exports } from "cloudflare:workers";
import { describe, it } from "vitest";
import type { Strategy } from "../protocol/recovery.ts";
import { checksFor } from "./contract-checks.ts";

const strategy = env.WRH_STRATEGY as Strategy;
const client = { fetch: (path: string) => exports.default.fetch(new Request(new URL(path, "http://canary.test"))) };

describe(`inside workerd: strategy ${strategy} on the ${env.WRH_VARIANT} build`, () => {
  for (const check of checksFor(strategy)) {
    const name = `${check.row}: ${check.name}`;
    if (check.crossRequest) {
      // The pool forces no_handle_cross_request_promise_resolution; contract.test.ts covers it.
      it.skip(`${name} (needs cross-request promise resolution)`, () => {});
    } else {
      it(name, () => check.run({ client, strategy, mutants: [] }));
    }
  }
});
