// The Durable Object class wrapper. The counter's state lives in Rust (workers/canary/src/
// counter.rs); this class holds a handle to it. After a reset that handle belongs to a dead
// generation, so the next request rebuilds the Rust object from storage: in-memory state is
// lost, every acknowledged storage write is still there.
import { failure, respond, RequestError } from "./responses.ts";
import { type Env, runtimeFor } from "./environment.ts";
import type { GuestRuntime, Handle } from "./runtime.ts";
import { saying } from "./fault-message.ts";

interface DurableObjectState {
  storage: {
    get<T>(key: string): Promise<T | undefined>;
    put(key: string, value: unknown): Promise<void>;
  };
}

const STORED_COUNT_KEY = "count";

export class CanaryCounter {
  readonly #ctx: DurableObjectState;
  readonly #env: Env;
  #counter: Handle | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    this.#ctx = ctx;
    this.#env = env;
  }

  async #counterFor(runtime: GuestRuntime): Promise<Handle> {
    if (this.#counter && runtime.isLive(this.#counter)) return this.#counter;
    const stored = (await this.#ctx.storage.get<number>(STORED_COUNT_KEY)) ?? 0;
    const { result } = runtime.call("canary_counter_new", [stored]);
    this.#counter = runtime.handle(result as number);
    return this.#counter;
  }

  async fetch(request: Request): Promise<Response> {
    let runtime: GuestRuntime | undefined;
    try {
      runtime = runtimeFor(this.#env);
      const counter = await this.#counterFor(runtime);
      const storage = { put: (key: string, value: number) => this.#ctx.storage.put(key, value) };
      const operation = new URL(request.url).pathname.split("/").at(-1);
      let body: string | undefined;
      switch (operation) {
        case "read": body = runtime.call("canary_counter_read", [counter]).body; break;
        case "increment": body = await runtime.spawn("canary_counter_increment", [counter], { storage }); break;
        case "park": body = await runtime.spawn("canary_counter_park", [counter], { storage }); break;
        case "panic": runtime.call("canary_counter_panic", [counter, ...saying(new URL(request.url))]); break;
        case "abort": runtime.call("canary_counter_abort", [counter]); break;
        default: throw new RequestError(404, `no counter operation ${operation}`);
      }
      return respond(200, body ?? "{}", runtime.generation);
    } catch (error) {
      return failure(error, runtime?.generation ?? 0);
    }
  }
}
