// Test helper: runs `body` against a freshly started canary and always stops it.
import type { CanaryClient } from "./contract-checks.ts";
import { type StartOptions, startCanary } from "../runner/start-worker.ts";

export async function withCanary<T>(options: StartOptions, body: (client: CanaryClient) => Promise<T>): Promise<T> {
  const worker = await startCanary(options);
  try {
    return await body(worker);
  } finally {
    await worker.dispose();
  }
}
