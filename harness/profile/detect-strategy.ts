// Which recovery a worker's build uses, asked the way workers-rs's own suite asks it: trigger a
// panic and see whether it comes back as a PanicError (panic=unwind) or not (panic=abort, whose
// runtime resets the instance). Asked of a throwaway workerd so the runs start clean.
import type { Strategy } from "../protocol/recovery.ts";
import { resolveOwnWorker, startOwnWorker } from "../runner/own-worker.ts";
import { profileClient } from "./profile-client.ts";
import { type Profile, ProfileError } from "./profile.ts";

export async function detectStrategy(target: string, profile: Profile): Promise<Strategy> {
  const path = profile.faults.panic;
  if (!path) throw new ProfileError(`profile ${profile.name} has no panic route to tell how the worker recovers; pass --strategy reset or --strategy unwind`);
  const worker = await startOwnWorker(await resolveOwnWorker(target, profile));
  try {
    const response = await worker.fetch(path);
    const reading = profileClient(profile).read(response.status, response.headers, await response.text());
    return reading.errorClass === "PanicError" ? "unwind" : "reset";
  } finally {
    await worker.dispose();
  }
}
