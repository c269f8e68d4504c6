// The in-workerd client: a small worker of the harness's own, started in the same workerd as the
// worker under test and bound to it (and, split, to the objects' worker) by service bindings.
// Node reaches it on a socket of its own (Miniflare's unsafeDirectSockets) over kept-alive
// connections (node:http: undici's fetch cost Node ~0.3 ms of CPU per request, node:http ~0.2),
// and it passes each request on: Miniflare's dispatchFetch opens a connection per
// request and runs its entry worker in front, which cost Node ~2 ms of CPU per request. A
// storm goes further: Node sends the whole sequence of paths once and the driver sends them one
// after another, streaming each answer back as a line of JSON. The worker under test sees the
// same requests either way (a GET of the path on http://canary.test, no headers), and when it
// throws the driver answers as Miniflare's entry worker does: a 500 whose body is the stack.
import { Agent, request } from "node:http";
import type { ReadableStream } from "node:stream/web";
import type { Isolate } from "../history/record.ts";

/** The driver's worker name. */
export const DRIVER_NAME = "wrh-driver";
/** Where Node asks the driver for a sequence; every other path is passed on to the worker. */
export const SEQUENCE_PATH = "/__wrh-driver/sequence";
/** The header that sends a request to the objects' worker (split topology) instead of the entry. */
export const ISOLATE_HEADER = "wrh-isolate";

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
const targetOf = (env, isolate) => (isolate === "objects" && env.OBJECTS ? env.OBJECTS : env.ENTRY);
// What Miniflare's entry worker answers Node with when the worker threw: its stack, as a 500.
const thrown = (error) => ({ status: 500, headers: [["content-type", "text/plain;charset=UTF-8"]], body: (error && error.stack) || String(error) });

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname !== "${SEQUENCE_PATH}") {
      try {
        return await targetOf(env, request.headers.get("${ISOLATE_HEADER}")).fetch(new URL(url.pathname + url.search, "http://canary.test"));
      } catch (error) {
        const { status, headers, body } = thrown(error);
        return new Response(body, { status, headers });
      }
    }
    const { isolate, paths, deadlineMs } = await request.json();
    const target = targetOf(env, isolate);
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
          return thrown(error);
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

/**
 * The driver's worker options: bound to `entry` (the worker under test) and, split, to
 * `objects`; Node finds its socket with `Miniflare.unsafeGetDirectURL(DRIVER_NAME)`.
 */
export function driverWorker(entry: string, objects?: string) {
  return {
    name: DRIVER_NAME,
    modules: [{ type: "ESModule" as const, path: "driver.mjs", contents: SCRIPT }],
    compatibilityDate: "2025-01-01",
    serviceBindings: { ENTRY: entry, ...(objects ? { OBJECTS: objects } : {}) },
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
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

/**
 * Kept-alive connections to the driver's socket. workerd closes a connection that stays idle
 * 5 s (KJ's pipeline timeout); an idle one is dropped after 4 s, so no request goes out on a
 * connection workerd is closing (undici's fetch does the same).
 */
export function driverAgent(): Agent {
  return new Agent({ keepAlive: true, timeout: 4_000 });
}

/** An answer from the driver, read whole. */
export interface DriverAnswer {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: Buffer;
}

/**
 * GETs `path` from the driver at `driver` over `agent` and reads the answer whole. A request
 * sent on a kept-alive connection that workerd closed as it went out (its HTTP server closes a
 * connection idle for 5 s; the agent's own 4 s idle timer can fire late on a busy harness) is
 * reset before any answer: workerd never read it, so it is sent again on a new connection, as
 * Node's documentation advises (`request.reusedSocket`). It is never a verdict on the worker.
 */
export async function driverGet(agent: Agent, driver: URL, path: string, headers: Record<string, string>, signal?: AbortSignal): Promise<DriverAnswer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await driverGetOnce(agent, driver, path, headers, signal);
    } catch (error) {
      if (!(error instanceof StaleConnectionError)) throw error;
      if (attempt === STALE_CONNECTION_ATTEMPTS || signal?.aborted) throw error.cause;
    }
  }
}

const STALE_CONNECTION_ATTEMPTS = 3;

/** A reset of a reused kept-alive connection before any answer came: the request never reached workerd. */
class StaleConnectionError extends Error {
  override name = "StaleConnectionError";
}

function driverGetOnce(agent: Agent, driver: URL, path: string, headers: Record<string, string>, signal?: AbortSignal): Promise<DriverAnswer> {
  const url = new URL(path, driver);
  return new Promise((resolve, reject) => {
    let answered = false;
    const sent = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, agent, signal, headers: { "accept-encoding": "identity", ...headers } }, (answer) => {
      answered = true;
      const chunks: Buffer[] = [];
      answer.on("data", (chunk: Buffer) => chunks.push(chunk));
      answer.on("error", reject);
      answer.on("close", () => {
        if (!answer.complete) reject(new Error(`${path}: the connection closed before the answer ended`));
      });
      answer.on("end", () => {
        const pairs: [string, string][] = [];
        for (let i = 0; i < answer.rawHeaders.length; i += 2) pairs.push([answer.rawHeaders[i]!, answer.rawHeaders[i + 1]!]);
        resolve({ status: answer.statusCode!, statusText: answer.statusMessage ?? "", headers: pairs, body: Buffer.concat(chunks) });
      });
    });
    sent.on("error", (error: NodeJS.ErrnoException) => {
      const stale = !answered && sent.reusedSocket && error.code === "ECONNRESET";
      reject(stale ? new StaleConnectionError(error.message, { cause: error }) : error);
    });
    sent.end();
  });
}
