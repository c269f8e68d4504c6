// vitest global setup: every test reads dist/, so make sure it matches the sources.
import { buildVariants } from "./build.ts";

export default async function setup(): Promise<void> {
  await buildVariants({ log: (line) => process.stderr.write(`[wrh build] ${line}\n`) });
}
