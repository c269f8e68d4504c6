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
