// Host half of the reference recovery runtime (the guest half is workers/recovery). It owns
// the guest's WebAssembly instance and is the only way into it, so every rule of the recovery
// contract is enforced here, on every entry:
//
// 1. Guard first. Before anything is written into linear memory, a terminated or
//    reset-pending instance is reset (or the entry refused), and handles and continuations
//    from another generation are refused.
// 2. Classify every error that leaves the guest. Unwinds are *marked*: a PanicError or a JS
//    error travels through Rust inside an exception with the private UNWIND_TAG. Anything
//    else (RuntimeError, stack-overflow RangeError, foreign exceptions) is an abort.
// 3. On an abort: set the terminated flag in linear memory (so the guest traps when an import
//    returns into an outer frame), run the on_abort hook once, fail the generation's in-flight
//    tasks with StaleInstance, and reset on the next entry.
import { GUEST_MUTANTS } from "../protocol/constants.ts";
import type { Mutant, Strategy } from "../protocol/recovery.ts";
import { Abort, GuestError, JsError, PanicError, StaleInstance, StaleObject, Terminated } from "./errors.ts";
import { DEFAULT_PARK_TIMEOUT_MS, ParkingLot } from "./parking-lot.ts";
import { type Task, type TaskContext, TaskTable } from "./tasks.ts";

// One of each for every call: creating them per call was the shim's largest per-call cost.
const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();

/** Marks exceptions that are unwinds, not aborts. Private: nothing else can forge it. */
const UNWIND_TAG = new WebAssembly.Tag({ parameters: ["externref"] });

/** Bits the guest reads in `wrh_start` (workers/recovery/src/abort.rs). */

/** Host futures settle with one of these statuses (0 = ok). */
const HOST_FUTURE_OK = 0;
const HOST_FUTURE_FAILED = 1;
const HOST_FUTURE_TIMED_OUT = 2;

/** A guest object (a pointer into linear memory) together with the generation it lives in. */
export interface Handle {
  readonly ptr: number;
  readonly generation: number;
}

/** An argument for a guest export: a number, a string (copied into guest memory) or a handle. */
export type Arg = number | string | Handle;

export interface CallResult {
  /** What the export returned (e.g. a pointer). */
  result: unknown;
  /** What the export passed to `respond`, if anything. */
  body?: string;
}

export interface RuntimeOptions {
  module: WebAssembly.Module;
  strategy: Strategy;
  mutants?: ReadonlySet<Mutant>;
  parkTimeoutMs?: number;
  /**
   * Imports beyond the runtime's own (the canary's `canary_host`). Their functions are wrapped
   * like the runtime's: a JS error they throw crosses Rust as a marked unwind.
   */
  extraImports?: (runtime: GuestRuntime) => Record<string, Record<string, (...args: never[]) => unknown>>;
}

type Exports = Record<string, unknown> & { memory: WebAssembly.Memory };

const NO_ARGS: number[] = [];
type ExportFn = (...args: number[]) => unknown;

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export class GuestRuntime {
  readonly strategy: Strategy;
  readonly mutants: ReadonlySet<Mutant>;
  readonly parking = new ParkingLot();
  /**
   * Totals over every generation. `abortHookRuns` is the host's own count, at the one place it
   * runs the hook; `reinitRequests` and `guestAbortHookRuns` come from the guest: the requests
   * its hook made, and its own count of hook runs, which each request carries (for each memory,
   * the highest count it reported).
   */
  readonly counters = { resets: 0, abortHookRuns: 0, reinitRequests: 0, guestAbortHookRuns: 0 };

  readonly #module: WebAssembly.Module;
  readonly #imports: WebAssembly.Imports;
  readonly #parkTimeoutMs: number;
  readonly #tasks = new TaskTable();
  #instance: WebAssembly.Instance | undefined;
  #generation = 0;
  #flagAddress = 0;
  /** View of linear memory for the flag; replaced when memory grows (its buffer is detached). */
  #flagView: Uint32Array | undefined;
  // Two independent reset triggers, as in real shims: the host's own verdict and the guest
  // hook's request. A reset must clear both (the double-reset mutant clears one per reset).
  #hostCritical = false;
  #reinitScheduled = false;
  #hookRanFor = 0;
  /** The last reinit request's memory (the guest's own number for it) and its count of hook runs. */
  #lastHookReport = { instance: 0, runs: 0 };
  /** Numbers handed to fresh memories (`instance_number`); unrelated to the generation. */
  #memoryNumbers = 0;
  /** One frame per guest call on the stack; `respond` writes to the innermost. */
  readonly #frames: { body?: string }[] = [];
  /** Set by the panic hook of panic=abort builds just before they trap. */
  #panicMessage: string | undefined;
  /** The shadow stack pointer with no guest frame active: what an outermost call starts from. */
  #restingStackPointer = 0;
  // Read on every call, so looked up once.
  readonly #recovers: boolean;
  readonly #marshalFirst: boolean;
  readonly #restoreOutermost: boolean;
  readonly #retriesUnwound: boolean;
  /** How a panic's message is read out of linear memory (UTF-8, or Latin-1 under its mutant). */
  readonly #panicText: (ptr: number, len: number) => string;

  constructor(options: RuntimeOptions) {
    this.#module = options.module;
    this.strategy = options.strategy;
    this.mutants = options.mutants ?? new Set();
    this.#recovers = this.strategy !== "none" && !this.mutants.has("no-recovery");
    this.#marshalFirst = this.mutants.has("marshal-before-guard");
    this.#restoreOutermost = this.mutants.has("stack-restore-outermost");
    this.#retriesUnwound = this.mutants.has("retry-unwound-call");
    this.#panicText = this.mutants.has("panic-message-latin1") ? (ptr, len) => this.#readLatin1(ptr, len) : (ptr, len) => this.readText(ptr, len);
    this.#parkTimeoutMs = options.parkTimeoutMs ?? DEFAULT_PARK_TIMEOUT_MS;
    this.#imports = { wrh_host: this.#runtimeImports() };
    for (const [module, functions] of Object.entries(options.extraImports?.(this) ?? {})) {
      this.#imports[module] = Object.fromEntries(
        Object.entries(functions).map(([name, fn]) => [name, this.#crossesRust(fn)]),
      );
    }
  }

  /** How many instances have been created (0 before the first entry). */
  get generation(): number {
    return this.#generation;
  }

  /** Whether this runtime acts on aborts at all. */
  get recovers(): boolean {
    return this.#recovers;
  }

  /** Runtime state for the info route and the harness. */
  state() {
    const exports = this.#instance?.exports as Exports | undefined;
    return {
      strategy: this.strategy,
      mutants: [...this.mutants],
      generation: this.#generation,
      terminated: exports ? this.#terminatedFlag() !== 0 : false,
      resetPending: this.#reinitScheduled || (this.#hostCritical && this.strategy === "reset"),
      inFlight: this.#tasks.size,
      parked: this.parking.size,
      stackPointer: exports ? (exports.__stack_pointer as WebAssembly.Global).value as number : null,
      memoryBytes: exports ? exports.memory.buffer.byteLength : null,
      heapBytes: exports ? (exports.wrh_heap_bytes as ExportFn)() as number : null,
      ...this.counters,
    };
  }

  /** Calls synchronous export `name`. Throws a GuestError when the call fails. */
  call(name: string, args: readonly Arg[] = []): CallResult {
    return this.#retriesUnwound ? this.#callRetryingUnwound(name, args) : this.#call(name, args);
  }

  /** The retry-unwound-call mutant: a call that unwound is taken for a transient failure and run again. */
  #callRetryingUnwound(name: string, args: readonly Arg[]): CallResult {
    try {
      return this.#call(name, args);
    } catch (error) {
      if (!(error instanceof PanicError || (error instanceof JsError && !error.critical))) throw error;
      return this.#call(name, args);
    }
  }

  /** Starts asynchronous export `name` (its task number goes first); resolves with its body. */
  spawn(name: string, args: readonly Arg[] = [], context: TaskContext = {}): Promise<string> {
    const task = this.#tasks.open(context);
    try {
      this.#call(name, [task.id, ...args], task);
    } catch (error) {
      this.#tasks.reject(task.id, error);
    }
    return task.promise;
  }

  /** A handle to a guest object created in the current generation. */
  handle(ptr: number): Handle {
    return { ptr, generation: this.#generation };
  }

  /**
   * Whether `handle` may be passed to the guest: it must come from the current generation,
   * after any pending reset.
   */
  isLive(handle: Handle): boolean {
    this.#guard();
    return handle.generation === this.#generation || this.mutants.has("no-stale-check");
  }

  // ---- benchmark support -----------------------------------------------------------------
  // What the guarded paths above cost is only visible next to what they guard; these do the
  // bare thing `count` times (harness/bench measures them from outside, workerd's clock being
  // frozen while code runs).

  /** `count` plain `new WebAssembly.Instance` of the guest module, thrown away. */
  instantiations(count: number): void {
    for (let i = 0; i < count; i++) new WebAssembly.Instance(this.#module, this.#imports);
  }

  /**
   * `count` calls of `name(...args)` straight into the live instance, the body still copied
   * out as any caller needs it: no guard, no marshalling, no classification.
   */
  rawCalls(name: string, count: number, args: (i: number) => number[] = () => []): void {
    this.#guard();
    const fn = (this.#instance!.exports as Exports)[name] as ExportFn;
    const frame: { body?: string } = {};
    this.#frames.push(frame);
    try {
      for (let i = 0; i < count; i++) fn(...args(i));
    } finally {
      this.#frames.pop();
    }
  }

  // ---- entry ---------------------------------------------------------------------------

  #call(name: string, args: readonly Arg[], task?: Task): CallResult {
    let raw = this.#marshalFirst ? this.#marshal(args) : undefined;
    this.#guard();
    if (task) {
      if (task.generation === 0) task.generation = this.#generation;
      else if (task.generation !== this.#generation && !this.mutants.has("no-stale-check")) {
        throw new StaleInstance(`task ${task.id} belongs to generation ${task.generation}, now ${this.#generation}`);
      }
    }
    raw ??= this.#marshal(args);
    const instance = this.#instance!;
    const exports = instance.exports as Exports;
    // Reading the global costs more than the rest of the guard; only a call nested inside
    // another guest call (re-entrancy) can start anywhere but at rest.
    const savedStackPointer = this.#frames.length ? (exports.__stack_pointer as WebAssembly.Global).value as number : this.#restingStackPointer;
    const frame: { body?: string } = {};
    this.#frames.push(frame);
    try {
      const result = (exports[name] as ExportFn)(...raw);
      return { result, body: frame.body };
    } catch (error) {
      const failure = this.#classify(error);
      // An unwind skipped the export's epilogue; put the shadow stack back where it was. (A trap
      // leaves it: the instance is suspect anyway, and `none` must not be quietly repaired.)
      const unwound = failure instanceof PanicError || failure instanceof JsError;
      if (unwound && this.#recovers && this.#instance === instance && !this.mutants.has("no-stack-restore")) {
        (exports.__stack_pointer as WebAssembly.Global).value = this.#restoreOutermost ? this.#restingStackPointer : savedStackPointer;
      }
      if (failure.critical) this.#declareAborted(task?.id);
      throw failure;
    } finally {
      this.#frames.pop();
    }
  }

  /** The rule that must come before any write into guest memory. */
  #guard(): void {
    if (!this.#instance) {
      this.#instantiate();
      return;
    }
    if (!this.#recovers) return;
    // The flag may also have been set from outside (host-initiated termination).
    if (!this.#hostCritical && this.#terminatedFlag() !== 0) this.#declareAborted(undefined);
    if (this.#reinitScheduled) this.#reset("reinit");
    else if (this.#hostCritical) {
      if (this.strategy === "reset") this.#reset("critical");
      else throw new Terminated(`generation ${this.#generation} was aborted and its on_abort hook scheduled no reset`);
    }
  }

  #marshal(args: readonly Arg[]): readonly number[] {
    if (args.length === 0) return NO_ARGS;
    // Numbers (task ids, counters) go as they are: no copy.
    if (args.every((arg) => typeof arg === "number")) return args as readonly number[];
    if (!this.#instance) this.#instantiate();
    const exports = this.#instance!.exports as Exports;
    return args.flatMap((arg): number[] => {
      if (typeof arg === "number") return [arg];
      if (typeof arg === "string") {
        const bytes = utf8Encoder.encode(arg);
        const ptr = (exports.wrh_alloc as ExportFn)(bytes.length) as number;
        new Uint8Array(exports.memory.buffer, ptr, bytes.length).set(bytes);
        return [ptr, bytes.length];
      }
      if (arg.generation !== this.#generation && !this.mutants.has("no-stale-check")) {
        throw new StaleObject(`handle from generation ${arg.generation} used in generation ${this.#generation}`);
      }
      return [arg.ptr];
    });
  }

  // ---- instances -----------------------------------------------------------------------

  #instantiate(): void {
    const instance = new WebAssembly.Instance(this.#module, this.#imports);
    const exports = instance.exports as Exports;
    this.#instance = instance;
    this.#flagAddress = (exports.wrh_terminated_flag as ExportFn)() as number;
    this.#start();
    this.#restingStackPointer = (exports.__stack_pointer as WebAssembly.Global).value as number;
  }

  /** Runs the guest's start function on the current instance, as the next generation. */
  #start(): void {
    this.#generation++;
    let guestMutants = 0;
    for (const [mutant, bit] of Object.entries(GUEST_MUTANTS)) if (this.mutants.has(mutant as Mutant)) guestMutants |= bit;
    ((this.#instance!.exports as Exports).wrh_start as ExportFn)(this.#generation, guestMutants);
  }

  /**
   * The reset-keeps-memory mutant's reset: the old instance is started again as the next
   * generation. What a restart can repair is repaired (terminated flag down, shadow stack at
   * rest); everything else in its memory stays.
   */
  #restart(): void {
    this.#flagWords()[this.#flagAddress >>> 2] = 0;
    ((this.#instance!.exports as Exports).__stack_pointer as WebAssembly.Global).value = this.#restingStackPointer;
    this.#start();
  }

  /**
   * Harness only: a new instance whatever the strategy, as if the worker had been redeployed.
   * Runs under `none` start from one, so one run's poison is not the next run's; cheaper than a
   * new workerd. Not a reset: the reset counter stays.
   */
  replaceInstance(): void {
    this.#instantiate();
    this.#reinitScheduled = false;
    this.#hostCritical = false;
  }

  #reset(trigger: "reinit" | "critical"): void {
    // The hook-twice mutant: a second call site for the hook, which the host does not count.
    if (this.mutants.has("hook-twice")) this.#runAbortHook();
    if (this.mutants.has("reset-keeps-memory")) this.#restart();
    else this.#instantiate();
    this.counters.resets++;
    if (this.mutants.has("double-reset")) {
      if (trigger === "reinit") this.#reinitScheduled = false;
      else this.#hostCritical = false;
    } else {
      this.#reinitScheduled = false;
      this.#hostCritical = false;
    }
  }

  #flagWords(): Uint32Array {
    const { buffer } = (this.#instance!.exports as Exports).memory;
    if (this.#flagView?.buffer !== buffer) this.#flagView = new Uint32Array(buffer);
    return this.#flagView;
  }

  #terminatedFlag(): number {
    return this.#flagWords()[this.#flagAddress >>> 2]!;
  }

  #runAbortHook(): void {
    try {
      ((this.#instance!.exports as Exports).wrh_run_abort_hook as ExportFn)();
    } catch {
      // The hook runs on a terminated instance, so it stops at its first import: expected.
    }
  }

  #declareAborted(spareTask: number | undefined): void {
    if (!this.#recovers) return;
    const generation = this.#generation;
    this.#hostCritical = true;
    this.#flagWords()[this.#flagAddress >>> 2] = 1;
    if (this.#hookRanFor !== generation) {
      this.#hookRanFor = generation;
      this.counters.abortHookRuns++;
      this.#runAbortHook();
    }
    if (!this.mutants.has("no-stale-check")) {
      // The mutant's timer belongs to the request that is aborting; workerd drops it when that
      // request ends, so the siblings, already out of the parking lot, never settle.
      const deliver = this.mutants.has("stale-siblings-on-fault-timer") ? (reject: () => void) => void setTimeout(reject, 0) : undefined;
      this.#tasks.failGeneration(generation, spareTask, (task) =>
        new StaleInstance(`task ${task.id} was in flight when generation ${generation} aborted`), deliver);
    }
  }

  // ---- classification ------------------------------------------------------------------

  #classify(error: unknown): GuestError {
    const failure = this.#errorClass(error);
    this.#panicMessage = undefined;
    // Under `none` (or with recovery mutated away) nothing terminates the instance.
    failure.critical &&= this.#recovers;
    return failure;
  }

  #errorClass(error: unknown): GuestError {
    // Already classified by a nested call and passed through the guest unchanged.
    if (error instanceof GuestError) return error;
    if (error instanceof WebAssembly.Exception && error.is(UNWIND_TAG)) {
      const payload = error.getArg(UNWIND_TAG, 0);
      if (payload instanceof PanicError) return payload;
      if (this.mutants.has("foreign-exceptions-abort")) return this.#abort(`JS error treated as abort: ${describe(payload)}`);
      const jsError = new JsError(payload instanceof Error ? payload.message : String(payload), { cause: payload });
      // A panic=abort build has no landing pads: destructors were skipped, state is suspect.
      jsError.critical = this.strategy === "reset";
      return jsError;
    }
    if (error instanceof WebAssembly.RuntimeError) {
      // The mutant's guest traps in its panic hook; taking that trap for an unwind keeps an
      // instance whose panicking frames never ran their destructors.
      if (this.#panicMessage !== undefined && this.strategy === "unwind" && this.mutants.has("panic-hook-traps")) {
        return new PanicError(this.#panicMessage);
      }
      const why = this.#panicMessage === undefined ? "" : `panicked: ${this.#panicMessage}; `;
      return this.#abort(`${why}${describe(error)}`);
    }
    if (error instanceof RangeError && this.mutants.has("range-error-not-abort")) {
      return new JsError(error.message, { cause: error });
    }
    return this.#abort(describe(error));
  }

  #abort(message: string): Abort {
    const abort = new Abort(message);
    abort.critical = true;
    return abort;
  }

  // ---- imports -------------------------------------------------------------------------

  /** Decodes UTF-8 the current instance wrote at `ptr`; for imports, which run inside it. */
  readText(ptr: number, len: number): string {
    const memory = (this.#instance!.exports as Exports).memory;
    return utf8Decoder.decode(new Uint8Array(memory.buffer, ptr, len));
  }

  #readLatin1(ptr: number, len: number): string {
    const memory = (this.#instance!.exports as Exports).memory;
    return String.fromCharCode(...new Uint8Array(memory.buffer, ptr, len));
  }

  /** Wraps an import so a JS error it throws crosses Rust as a marked unwind. */
  #crossesRust<F extends (...args: never[]) => unknown>(fn: F): F {
    return ((...args: never[]) => {
      try {
        return fn(...args);
      } catch (error) {
        // Only unwinds are marked. An Abort, a refusal or a critical JS error must reach the
        // outer boundary as it is, never as something recoverable.
        const unwinds = error instanceof PanicError || (error instanceof JsError && !error.critical) || !(error instanceof GuestError);
        if (!unwinds) throw error;
        throw new WebAssembly.Exception(UNWIND_TAG, [error instanceof JsError ? error.cause : error]);
      }
    }) as F;
  }

  /** Host-side resumption of task `id` once host operation `handle` settled. */
  #resume(id: number, handle: number, status: number, value: number): void {
    const task = this.#tasks.get(id);
    if (!task) return;
    try {
      this.#call("wrh_poll", [id, handle, status, value], task);
    } catch (error) {
      this.#tasks.reject(id, error);
    }
  }

  #hostFuture(task: number, settle: (done: (status: number, value: number) => void) => void): number {
    const handle = this.#tasks.newHandle(this.#tasks.get(task)?.generation ?? this.#generation);
    settle((status, value) => this.#resume(task, handle, status, value));
    return handle;
  }

  #runtimeImports(): Record<string, (...args: number[]) => unknown> {
    return {
      respond: (ptr, len) => {
        const frame = this.#frames.at(-1);
        if (frame) frame.body = this.readText(ptr, len);
      },
      panicked: (ptr, len) => {
        this.#panicMessage = this.#panicText(ptr, len);
      },
      throw_panic: (ptr, len) => {
        throw new WebAssembly.Exception(UNWIND_TAG, [new PanicError(this.#panicText(ptr, len))]);
      },
      task_done: (task, ptr, len) => this.#tasks.resolve(task, this.readText(ptr, len)),
      task_panicked: (task, ptr, len) =>
        this.#tasks.reject(task, new PanicError(this.#panicText(ptr, len)), this.mutants.has("task-leak-on-panic")),
      instance_number: () => ++this.#memoryNumbers,
      stale_continuation: (task) =>
        this.#tasks.reject(task, new StaleInstance(`task ${task} was resumed in generation ${this.#generation}, not its own`)),
      schedule_reinit: (instance, abortHookRuns) => {
        this.#reinitScheduled = true;
        this.counters.reinitRequests++;
        const reported = this.#lastHookReport.instance === instance ? this.#lastHookReport.runs : 0;
        this.counters.guestAbortHookRuns += Math.max(0, abortHookRuns - reported);
        this.#lastHookReport = { instance, runs: abortHookRuns };
      },
      sleep: (task, ms) =>
        this.#hostFuture(task, (done) => setTimeout(() => done(HOST_FUTURE_OK, 0), ms)),
      park: (task) =>
        this.#hostFuture(task, (done) => {
          const park = this.parking.park(this.#parkTimeoutMs);
          this.#tasks.get(task)?.cleanups.push(park.cancel);
          void park.released.then((released) => done(released ? HOST_FUTURE_OK : HOST_FUTURE_TIMED_OUT, 0));
        }),
      storage_put: (task, keyPtr, keyLen, value) => {
        const key = this.readText(keyPtr, keyLen);
        const storage = this.#tasks.get(task)?.context.storage;
        if (!storage) throw new Error(`task ${task} has no Durable Object storage to write ${key} to`);
        return this.#hostFuture(task, (done) => {
          storage.put(key, value).then(() => done(HOST_FUTURE_OK, value), () => done(HOST_FUTURE_FAILED, 0));
        });
      },
    };
  }
}
