// Ambient declarations for code that is bundled into the Worker (see harness/build/build.ts).

/** A `.wasm` import in a Worker is a module workerd compiled ahead of time. */
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}

/** Which build this bundle serves; injected by the bundler for each variant. */
declare const WRH_BUILD: {
  variant: string;
  panicStrategy: "abort" | "unwind";
  ehEncoding: "none" | "legacy" | "exnref";
};

/** The WebAssembly exception-handling JS API (workerd and Node 24 have it; TS's lib does not). */
declare namespace WebAssembly {
  class Tag {
    constructor(type: { parameters: string[] });
  }
  class Exception {
    constructor(tag: Tag, payload: unknown[], options?: { traceStack?: boolean });
    is(tag: Tag): boolean;
    getArg(tag: Tag, index: number): unknown;
  }
}
