// Which catalog scenarios a worker can run through its client, and in what form. A scenario
// runs when the worker has a route for its fault; parts of its workload the worker cannot
// perform are left out and named, so a report never claims more than was exercised.
import type { Client } from "../engine/client.ts";
import type { Scenario } from "../engine/scenario.ts";

export type Fit =
  | { runs: true; scenario: Scenario; leftOut: string[] }
  | { runs: false; reason: string };

export function fitScenario(scenario: Scenario, client: Client): Fit {
  const can = client.capabilities;
  if (!client.fault(scenario.fault, "probe")) {
    return { runs: false, reason: `no route for ${scenario.fault.kind} in ${scenario.fault.place}` };
  }
  const leftOut: string[] = [];
  const { inflight = {}, later = {}, handles = 0 } = scenario.workload;
  const fitted = { inflight: { ...inflight }, later: { ...later }, handles };
  if (handles && !can.handles) {
    leftOut.push(`${handles} Rust object handle(s) (no handle routes)`);
    fitted.handles = 0;
  }
  for (const [when, siblings] of [["in flight", fitted.inflight], ["later", fitted.later]] as const) {
    if (siblings.handler && !can.siblings) {
      leftOut.push(`${siblings.handler} ${when} handler sibling(s) (no sibling route)`);
      siblings.handler = 0;
    }
    if (siblings.object && !can.objects) {
      leftOut.push(`${siblings.object} ${when} Durable Object sibling(s) (no object)`);
      siblings.object = 0;
    }
    if (siblings.otherObject && !(can.objects && can.distinctObjects)) {
      leftOut.push(`${siblings.otherObject} ${when} sibling(s) on another object (every name reaches the same object)`);
      siblings.otherObject = 0;
    }
  }
  const sent = (fitted.inflight.handler ?? 0) + (fitted.inflight.object ?? 0) + (fitted.inflight.otherObject ?? 0);
  if (sent && !can.park) leftOut.push(`parking: the ${sent} in-flight sibling(s) are sent alongside the fault instead`);
  if (!can.probes) leftOut.push("runtime probes (generation, abort hook, stack pointer)");
  return { runs: true, scenario: { ...scenario, workload: fitted }, leftOut };
}
