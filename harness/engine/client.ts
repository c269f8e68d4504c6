// How the engine talks to a worker: which request performs each operation of a scenario, and
// how a response becomes a history record. The canary speaks the harness's own protocol
// (harness/shim/worker.ts): siblings park inside Rust, every response names its generation and
// error class, and probes read the runtime's state. Any other worker is reached through a
// profile (harness/profile/), which can do less: what a worker cannot do, its client leaves out
// (an absent capability), and the engine never asks for it.
import { JS_ERROR_MESSAGE, PANIC_MESSAGE } from "../protocol/constants.ts";
import { CONTROL_CHARS, NON_ASCII, checksum, expectedChecksum } from "../protocol/integrity.ts";
import type { Fault } from "../history/scenario.ts";

/** The class given to a failure whose text the client does not recognise. */
export const UNRECOGNISED = "Unrecognised";

/** One request of a scenario: what the history calls it and where it goes. */
export interface Operation {
  kind: string;
  path: string;
  /** Judges a 200 body: true when the data it carries is right (sets the record's `integrity`). */
  check?: (body: Record<string, unknown>) => boolean;
}

/** What a response said, in the history's terms. */
export interface Reading {
  /** Failures only: the class the worker named. */
  errorClass?: string;
  /** The generation of the instance that served it, when the worker says. */
  generation?: number;
  /**
   * Structured data from the body. Durable Object operations carry `memory` and `stored` (the
   * counter's in-memory and stored counts after the request); `wrote: true` marks a request
   * that wrote although it is not an `object-increment` (a profile's counter counts every request).
   */
  body?: Record<string, unknown>;
  /** A text to keep when the body is not structured (or a failure's message). */
  message?: string;
}

/** Sibling requests in the stateless handler. */
export interface HandlerSiblings {
  /** The cheapest request that succeeds: between the faults of a storm. */
  ok(): Operation;
  /**
   * A sibling in flight during the fault; `seed` makes its checked data unique. `together`: it
   * is woken with the others by the release, in one go (the siblings of a `resume` fault).
   */
  inflight(seed: number, together?: boolean): Operation;
  /** A sibling after the fault. The first one carries a string argument. */
  later(seed: number, first: boolean): Operation;
  /** A sibling asleep on a timer inside the worker for `ms`, holding checked data across it. */
  asleep?(seed: number, ms: number): Operation;
}

/** A Durable Object counter whose in-memory and stored counts can be read. */
export interface ObjectCounter {
  /** A write to Durable Object `object` (kind `object-increment`). */
  write(object: string): Operation;
  /** A read of the object's state (kind `object-state`). */
  read(object: string): Operation;
  /** A request held on the object while the fault strikes. */
  inflight(object: string): Operation;
  /** Two object names reach two different Durable Objects. */
  distinct: boolean;
}

/**
 * Siblings held inside the worker until released, so they are provably in flight when the
 * fault strikes. A worker without it gets them alongside the fault instead (role `concurrent`).
 */
export interface ParkBarrier {
  /** The request whose answer says how many requests are parked in its isolate now. */
  count: Operation;
  /** Reads that answer; undefined when the worker could not say. */
  parked(status: number, body: unknown): number | undefined;
  /** Releases every parked request; recorded, its answer says how many were still parked. */
  release: Operation;
}

/** Rust objects created in the guest and read back through handles. */
export interface Handles {
  create(text: string): Operation;
  /** The handle a successful `create` answered with. */
  id(body: Record<string, unknown>): number;
  /** Reads handle `id` back; its check is that it still holds `text`. */
  read(id: number, text: string): Operation;
}

/** Reads of the runtime's state (generation, abort hook, stack pointer, memory). */
export interface Probes {
  /** Before anything else: the first also instantiates the runtime (and applies a pending reset). */
  before: readonly Operation[];
  /** After everything else. */
  after: readonly Operation[];
}

/**
 * A worker, as the engine reaches it. The optional members are its capabilities: absent where
 * the worker has no such route, and the scenario is fitted to what is there (profile/fit-scenario.ts).
 */
export interface Client {
  /** `canary`, or the profile's name. */
  name: string;
  /**
   * The request that triggers `fault`, or undefined when the worker has no route for it;
   * `seed` varies what it carries (the message a panic or JS error must arrive with, the frames
   * of a re-entrant chain).
   */
  fault(fault: Fault, object: string, seed: number): string | undefined;
  siblings?: HandlerSiblings;
  objects?: ObjectCounter;
  park?: ParkBarrier;
  probes?: Probes;
  handles?: Handles;
  /** Turns a response into a reading. */
  read(status: number, headers: Headers, text: string): Reading;
}

const REENTER_FAULTS = { panic: "panic", abort: "abort", "js-error": "js-error" } as const;

/** A buffer held across an await (`bytes` long: the protocol's size unless the request named one) came back intact. */
export const heldBufferIntact = (seed: number, bytes?: number) => (body: Record<string, unknown>) =>
  body.intact === true && body.released === true && body.checksum === expectedChecksum(seed, bytes);

/** An argument reached the guest as it was sent. */
const echoed = (text: string) => (body: Record<string, unknown>) =>
  body.text === text && body.checksum === checksum(new TextEncoder().encode(text));

/**
 * What a panic or JS error fault asks to fail with (`requestedMessage` reads it back). The real
 * canary's failures are classified by their text, so the text says which fault it is.
 */
function saying(kind: string, seed: number): string {
  if (kind !== "panic" && kind !== "js-error" && kind !== "panic-holding-lock") return "";
  const text = `${kind === "js-error" ? JS_ERROR_MESSAGE : PANIC_MESSAGE} ${NON_ASCII}`;
  return `text=${encodeURIComponent(text)}&n=${seed}`;
}

/** The canary, through the harness protocol: every capability. */
export const CANARY_CLIENT: Client = {
  name: "canary",
  fault(fault, object, seed) {
    const say = saying(fault.kind, seed);
    switch (fault.place) {
      case "handler": return say ? `/${fault.kind}?${say}` : `/${fault.kind}`;
      case "async": return `/panic-after-await?ms=1&${say}`;
      case "durable-object": return say ? `/do/${object}/${fault.kind}?${say}` : `/do/${object}/${fault.kind}`;
      case "resume": return `/resume?fault=${fault.kind}&${say}`;
      case "reentrant": {
        const kind = REENTER_FAULTS[fault.kind as keyof typeof REENTER_FAULTS];
        return `/reenter?depth=${fault.depth}&at=${fault.at}&fault=${kind}&swallow=${fault.swallow ? 1 : 0}&seed=${seed}${say ? `&${say}` : ""}`;
      }
    }
  },
  siblings: {
    ok: () => ({ kind: "ok", path: "/ok" }),
    inflight: (seed, together) => ({ kind: "park", path: `/park?seed=${seed}${together ? "&together=1" : ""}`, check: heldBufferIntact(seed) }),
    asleep: (seed, ms) => ({ kind: "sleep", path: `/sleep?ms=${ms}&seed=${seed}`, check: heldBufferIntact(seed) }),
    later(seed, first) {
      if (!first) return { kind: "sleep", path: `/sleep?ms=1&seed=${seed}`, check: heldBufferIntact(seed) };
      // Every width of UTF-8 and the control characters: a length or encoding slip changes it.
      const text = `later-${seed} ${NON_ASCII} ${CONTROL_CHARS}`;
      return { kind: "echo", path: `/echo?text=${encodeURIComponent(text)}`, check: echoed(text) };
    },
  },
  objects: {
    write: (object) => ({ kind: "object-increment", path: `/do/${object}/increment` }),
    read: (object) => ({ kind: "object-state", path: `/do/${object}/read` }),
    inflight: (object) => ({ kind: "object-park", path: `/do/${object}/park` }),
    distinct: true,
  },
  park: {
    count: { kind: "parked", path: "/__harness/parked" },
    parked: (status, body) => {
      const parked = (body as { parked?: unknown } | null)?.parked;
      return status === 200 && typeof parked === "number" ? parked : undefined;
    },
    release: { kind: "release", path: "/__harness/release" },
  },
  probes: {
    before: [{ kind: "stats", path: "/stats" }, { kind: "info", path: "/__harness/info" }],
    // `/stats` last: it enters the guest, which must by then be at rest (destructors owed, panic state).
    after: [{ kind: "info", path: "/__harness/info" }, { kind: "stats", path: "/stats" }],
  },
  handles: {
    create: (text) => ({ kind: "object-new", path: `/object/new?text=${text}` }),
    id: (body) => Number(body.id),
    read: (id, text) => ({ kind: "handle-read", path: `/object/read?id=${id}`, check: (body) => body.text === text }),
  },
  read(status, headers, text) {
    const reading: Reading = { generation: Number(headers.get("wrh-generation")) || undefined };
    try {
      reading.body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // Not the canary speaking: workerd's own error page (e.g. a request it found hung).
      reading.message = text.slice(0, 300);
    }
    if (status !== 200) {
      reading.errorClass = headers.get("wrh-error") ?? "NotCanary";
      reading.message ??= String(reading.body?.message ?? "");
    }
    return reading;
  },
};
