// vitest global setup: every test reads dist/, so make sure it matches the sources (reference
// variants and real workers-rs modes alike; a no-op after `npm run setup`).
import { buildVariants } from "./build.ts";
import { buildReal } from "./real-build.ts";

export default async function setup(): Promise<void> {
  const log = (line: string) => process.stderr.write(`[wrh build] ${line}\n`);
  await buildVariants({ log });
  await buildReal({ log });
}
