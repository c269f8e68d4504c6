// Owns the guest's WebAssembly instance and makes calls into it. The guest ABI (mirrored in
// workers/recovery): an export takes no arguments and returns a status; the body and any
// panic message arrive through the imports below while the export runs.
import { Abort, PanicError } from "./errors.ts";

const STATUS_OK = 0;
const STATUS_PANICKED = 1;

export class Guest {
  readonly #module: WebAssembly.Module;
  #instance: WebAssembly.Instance | undefined;
  #generation = 0;
  // Set by the imports during one synchronous export call, read right after it.
  #response: string | undefined;
  #panicMessage: string | undefined;

  constructor(module: WebAssembly.Module) {
    this.#module = module;
  }

  /** How many instances have been created so far (0 before the first call). */
  get generation(): number {
    return this.#generation;
  }

  #text(ptr: number, len: number): string {
    const memory = this.#instance!.exports.memory as WebAssembly.Memory;
    return new TextDecoder().decode(new Uint8Array(memory.buffer, ptr, len));
  }

  #instantiate(): WebAssembly.Instance {
    const instance = new WebAssembly.Instance(this.#module, {
      wrh_host: {
        respond: (ptr: number, len: number) => { this.#response = this.#text(ptr, len); },
        panicked: (ptr: number, len: number) => { this.#panicMessage = this.#text(ptr, len); },
      },
    });
    this.#generation++;
    return instance;
  }

  /** Calls export `name`; returns the body it responded with, or throws PanicError / Abort. */
  call(name: string): string {
    this.#instance ??= this.#instantiate();
    const exported = this.#instance.exports[name];
    if (typeof exported !== "function") throw new TypeError(`the guest has no export named ${name}`);
    this.#response = undefined;
    this.#panicMessage = undefined;
    let status: number;
    try {
      status = (exported as () => number)();
    } catch (error) {
      if (!(error instanceof WebAssembly.RuntimeError)) throw error;
      const why = this.#panicMessage === undefined ? "" : `panicked: ${this.#panicMessage}; `;
      throw new Abort(`${why}${error.name}: ${error.message}`, { cause: error });
    }
    if (status === STATUS_PANICKED) throw new PanicError(this.#panicMessage ?? "");
    if (status !== STATUS_OK) throw new Abort(`export ${name} returned unknown status ${status}`);
    return this.#response ?? "";
  }
}
