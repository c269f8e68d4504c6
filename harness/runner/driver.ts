// The in-workerd client: a small worker of the harness's own, started in the same workerd as the
// worker under test, that sends a sequence of requests to it through service bindings and
// streams each answer back as a line of JSON. A storm of thousands of requests sent one after
// another from Node pays Miniflare's loopback (~2–6 ms) per request; from here it pays a
// service-binding call. The worker under test sees the same requests either way: Miniflare's
// own entry worker reaches it through a service binding too, and the driver answers as that
// entry worker does when the worker throws (a 500 whose body is the error's stack).
import type { ReadableStream } from "node:stream/web";
import type { Isolate } from "../history/record.ts";

/** The driver's worker name, and the host its requests are routed by. */
export const DRIVER_NAME = "wrh-driver";
export const DRIVER_HOST = "wrh-driver.test";

/** One exchange of a sequence, as the driver saw it; ms since the driver got the sequence. */
export type SequenceLine =
  | { status: number; headers: [string, string][]; body: string; start: number; end: number }
  | { error: "timeout" | "unreachable"; message: string; start: number; end: number };

/** The sequence the driver is asked for. */
export interface SequenceRequest {
  isolate: Isolate;
  paths: readonly string[];
  deadlineMs: number;
}

/** Requests sent back to back between two idle turns of workerd's event loop (see SCRIPT). */
const IDLE_TURN_EVERY = 8;

// Plain JavaScript: workerd runs it as it is, from the source tree and from the package alike.
// The deadline and its message are the Node-side runner's (./deadline.ts), so a request that
// times out here is recorded exactly as one that timed out there.
const SCRIPT = `
export default {
  async fetch(request, env, ctx) {
    const { isolate, paths, deadlineMs } = await request.json();
    const target = isolate === "objects" && env.OBJECTS ? env.OBJECTS : env.ENTRY;
    const t0 = Date.now();
    const { readable, writable } = new TransformStream();
    const writer = writable.getWriter();
    const encoder = new TextEncoder();
    const exchange = async (path) => {
      const controller = new AbortController();
      let timer;
      const expired = new Promise((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(Object.assign(new Error(path + ": no response within " + deadlineMs + " ms"), { timeout: true }));
        }, deadlineMs);
      });
      const send = async () => {
        let response;
        try {
          response = await target.fetch(new URL(path, "http://canary.test"), { signal: controller.signal });
        } catch (error) {
          if (controller.signal.aborted) throw error;
          // What Miniflare's entry worker answers Node with when the worker threw: its stack, as a 500.
          return { status: 500, headers: [["content-type", "text/plain;charset=UTF-8"]], body: (error && error.stack) || String(error) };
        }
        return { status: response.status, headers: [...response.headers], body: await response.text() };
      };
      try {
        return await Promise.race([send(), expired]);
      } finally {
        clearTimeout(timer);
      }
    };
    const run = async () => {
      for (const [index, path] of paths.entries()) {
        // A turn of the event loop every few requests, as when they come over the network:
        // workerd runs timers and I/O only once nothing else is ready, and requests that go from
        // one isolate to another never leave it idle, so a storm sent back to back would hold
        // back every timer the worker set (the reference runtime fails dead siblings from one)
        // until it ended. A turn is a 1 ms timer (setTimeout(0) does not let them run); one per
        // ${IDLE_TURN_EVERY} requests delays a timer by a few ms at most.
        if (index % ${IDLE_TURN_EVERY} === 0) await new Promise((resolve) => setTimeout(resolve, 1));
        const start = Date.now() - t0;
        let line;
        try {
          line = await exchange(path);
        } catch (error) {
          line = { error: error && error.timeout ? "timeout" : "unreachable", message: String(error && error.message || error) };
        }
        await writer.write(encoder.encode(JSON.stringify({ ...line, start, end: Date.now() - t0 }) + "\\n"));
      }
      await writer.close();
    };
    ctx.waitUntil(run());
    return new Response(readable, { headers: { "content-type": "application/x-ndjson" } });
  },
};
`;

/** The driver's worker options: bound to `entry` (the worker under test) and, split, to `objects`. */
export function driverWorker(entry: string, objects?: string) {
  return {
    name: DRIVER_NAME,
    modules: [{ type: "ESModule" as const, path: "driver.mjs", contents: SCRIPT }],
    compatibilityDate: "2025-01-01",
    routes: [`${DRIVER_HOST}/*`],
    serviceBindings: { ENTRY: entry, ...(objects ? { OBJECTS: objects } : {}) },
  };
}

/**
 * Reads the driver's answer line by line. `next` gets at most `stallMs` to bring more: past it,
 * workerd itself stopped (a worker that never yields blocks every isolate of its process, the
 * driver's timers included), and the reading ends with `stalled`.
 */
export async function* sequenceLines(body: ReadableStream<Uint8Array>, stallMs: number): AsyncGenerator<SequenceLine | "stalled"> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<"stalled">((resolve) => { timer = setTimeout(() => resolve("stalled"), stallMs); });
      const read = await Promise.race([reader.read(), stalled]).finally(() => clearTimeout(timer));
      if (read === "stalled") {
        yield "stalled";
        return;
      }
      if (read.done) break;
      buffered += decoder.decode(read.value, { stream: true });
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) if (line) yield JSON.parse(line) as SequenceLine;
    }
  } finally {
    void reader.cancel().catch(() => {});
  }
}
