// Which catalog scenarios a worker can run through its client, and in what form. A scenario
// runs when the worker has a route for its fault; parts of its workload the worker cannot
// perform are left out and named, so a report never claims more than was exercised.
import type { Client } from "../engine/client.ts";
import type { Scenario, Workload } from "../history/scenario.ts";

export type Fit =
  | { runs: true; scenario: Scenario; leftOut: string[] }
  | { runs: false; reason: string };

export function fitScenario(scenario: Scenario, client: Client): Fit {
  if (!client.fault(scenario.fault, "probe", 1)) {
    return { runs: false, reason: `no route for ${scenario.fault.kind} in ${scenario.fault.place}` };
  }
  const leftOut: string[] = [];
  const { inflight = {}, later = {}, asleep, handles = 0 } = scenario.workload;
  const fitted: Workload & Required<Pick<Workload, "inflight" | "later">> = { inflight: { ...inflight }, later: { ...later }, handles };
  if (asleep && !client.siblings?.asleep) leftOut.push(`${asleep} sibling(s) asleep on a timer (no sleep route)`);
  else if (asleep !== undefined) fitted.asleep = asleep;
  if (handles && !client.handles) {
    leftOut.push(`${handles} Rust object handle(s) (no handle routes)`);
    fitted.handles = 0;
  }
  for (const [when, siblings] of [["in flight", fitted.inflight], ["later", fitted.later]] as const) {
    if (siblings.handler && !client.siblings) {
      leftOut.push(`${siblings.handler} ${when} handler sibling(s) (no sibling route)`);
      siblings.handler = 0;
    }
    if (siblings.object && !client.objects) {
      leftOut.push(`${siblings.object} ${when} Durable Object sibling(s) (no object)`);
      siblings.object = 0;
    }
    if (siblings.otherObject && !client.objects?.distinct) {
      leftOut.push(`${siblings.otherObject} ${when} sibling(s) on another object (every name reaches the same object)`);
      siblings.otherObject = 0;
    }
  }
  let fault = scenario.fault;
  if (fault.storm && fault.storm.every > 1 && !client.siblings) {
    // Only the faults of the storm are left: one every request instead of every `every`-th.
    const faults = Math.ceil(fault.storm.requests / fault.storm.every);
    leftOut.push(`the storm's ${fault.storm.requests - faults} successful request(s) between faults (no sibling route)`);
    fault = { ...fault, storm: { requests: faults, every: 1 } };
  }
  const sent = (fitted.inflight.handler ?? 0) + (fitted.inflight.object ?? 0) + (fitted.inflight.otherObject ?? 0);
  if (sent && !client.park) leftOut.push(`parking: the ${sent} in-flight sibling(s) are sent alongside the fault instead`);
  if (!client.probes) leftOut.push("runtime probes (generation, abort hook, stack pointer)");
  return { runs: true, scenario: { ...scenario, fault, workload: fitted }, leftOut };
}
