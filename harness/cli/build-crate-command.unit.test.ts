// `wrh build --crate` input refused before any toolchain, tool or build is looked for: fast, so
// it runs in the unit tier. The build itself is in harness/package/package.test.ts (from the
// installed package).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configRustflags, inspectCrate } from "./build-crate-command.ts";
import { exitCodeFor } from "../errors.ts";
import { main } from "./commands.ts";
import { wrh } from "../testing/spawn-wrh.ts";

const REGISTRY = `source = "registry+https://github.com/rust-lang/crates.io-index"`;
const LOCK = `version = 4

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
${REGISTRY}

[[package]]
name = "worker"
version = "0.8.7"
${REGISTRY}
`;
/** A workers-rs checkout's lock: its own worker, and wasm-bindgen from a [patch] path. */
const CHECKOUT_LOCK = `version = 4

[[package]]
name = "wasm-bindgen"
version = "0.2.127"

[[package]]
name = "worker"
version = "0.8.5"
`;
const checkoutManifest = `[workspace]\nmembers = ["worker", "worker-build", "test"]\n\n[patch.crates-io]\nwasm-bindgen = { version = "0.2.127", path = './wasm-bindgen' }\n`;

/** A folder holding `files` (path → content), for one case. */
function fixture(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "wrh-crate-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const pkg = (deps: string) => `[package]\nname = "my-worker"\nversion = "0.1.0"\n\n[lib]\ncrate-type = ["cdylib"]\n\n${deps}\n`;

async function refusal(args: string[]): Promise<Error> {
  const error = await main(args).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

/** A workers-rs checkout: worker, worker-build and the test crate as members, wasm-bindgen patched to a submodule. */
function checkout({ withBindgen }: { withBindgen: boolean }): string {
  return fixture({
    "Cargo.toml": checkoutManifest,
    "Cargo.lock": CHECKOUT_LOCK,
    "worker/Cargo.toml": `[package]\nname = "worker"\nversion = "0.8.5"\n`,
    "worker-build/Cargo.toml": `[package]\nname = "worker-build"\nversion = "0.8.5"\n`,
    "test/Cargo.toml": pkg(`[dependencies]\nworker = { path = "../worker" }`),
    ...(withBindgen ? { "wasm-bindgen/Cargo.toml": `[package]\nname = "wasm-bindgen"\nversion = "0.2.127"\n` } : { "wasm-bindgen/.keep": "" }),
  });
}

describe("wrh build --crate: input refused before anything is built", () => {
  const notADir = join(fixture({ "file.txt": "" }), "file.txt");
  const noManifest = fixture({ "src/lib.rs": "" });
  const workspaceRoot = fixture({ "Cargo.toml": `[workspace]\nmembers = ["a"]\n`, "Cargo.lock": LOCK });
  const noWorker = fixture({ "Cargo.toml": pkg(`[dependencies]\nserde = "1"\n\n[dev-dependencies]\nworker = "0.8.7"`), "Cargo.lock": LOCK });
  const noLock = fixture({ "Cargo.toml": pkg(`[dependencies]\nworker = "0.8.7"`) });
  const staleLock = fixture({ "Cargo.toml": pkg(`[dependencies]\nworker = "0.8.7"`), "Cargo.lock": `version = 4\n\n[[package]]\nname = "serde"\nversion = "1.0.0"\n` });

  it.each([
    [["build", "--crate", "no/such/crate"], /^--crate no\/such\/crate: no such directory$/],
    [["build", "--crate", notADir], /: not a directory; give the crate's folder/],
    [["build", "--crate", noManifest], /: no Cargo\.toml there; give the folder of a workers-rs crate$/],
    [["build", "--crate", workspaceRoot], /: its Cargo\.toml has no \[package\] \(a workspace root\?\); give the folder of the worker crate itself$/],
    [["build", "--crate", noWorker], /: my-worker does not depend on the `worker` crate; wrh build --crate builds workers-rs crates/],
    [["build", "--crate", noLock], /: no Cargo\.lock in it or any folder above; run `cargo generate-lockfile` there first/],
    [["build", "--crate", staleLock], /Cargo\.lock locks no worker; run `cargo generate-lockfile`/],
    [["build", "--crate", noLock, "--variant", "real-abort"], /--variant applies to the canary builds, not to --crate/],
    [["build", "--crate", noLock, "--force"], /--force applies to the canary builds, not to --crate/],
    [["build", "--crate", noLock, "--max-memory", "lots"], /--max-memory: cannot read "lots"/],
    [["build", "--crate", join(checkout({ withBindgen: false }), "test")], /patches wasm-bindgen to \.\/wasm-bindgen, which holds no wasm-bindgen crate \(a git submodule not checked out\?\): run `git submodule update --init \.\/wasm-bindgen` there, or drop the \[patch\.crates-io\] wasm-bindgen entries to build with crates\.io's 0\.2\.127$/],
    [["build", "--panic-unwind"], /--panic-unwind applies to a crate of your own: wrh build --crate PATH --panic-unwind/],
    [["build", "--no-opt"], /--no-opt applies to a crate of your own/],
  ])("%j: exit 2, one line", async (args, message) => {
    const error = await refusal(args);
    expect(exitCodeFor(error)).toBe(2);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain("\n");
  });

  it("spawned as a user runs it: one line on stderr, exit 2, nothing on stdout", () => {
    const { status, stdout, stderr } = wrh("build", "--crate", noLock);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^wrh: error: --crate .*: no Cargo\.lock in it or any folder above; run `cargo generate-lockfile`/);
  });
});

describe("wrh build --crate: what it accepts", () => {
  it("finds a workspace member's lock in a folder above, and the versions of worker and wasm-bindgen in it", () => {
    const root = fixture({
      "Cargo.toml": `[workspace]\nmembers = ["crates/api"]\n\n[workspace.dependencies]\nworker = "0.8.7"\n`,
      "Cargo.lock": LOCK,
      "crates/api/Cargo.toml": pkg(`[dependencies]\nworker.workspace = true # from the workspace`),
    });
    const facts = inspectCrate(join(root, "crates/api"));
    expect(facts).toMatchObject({ name: "my-worker", lockPath: join(root, "Cargo.lock"), workerVersion: "0.8.7", wasmBindgenVersion: "0.2.130" });
  });

  it("builds a checkout's crate with the checkout's own worker-build and its wasm-bindgen's CLI; crates.io's otherwise", () => {
    const root = checkout({ withBindgen: true });
    expect(inspectCrate(join(root, "test"))).toMatchObject({
      workerVersion: "0.8.5",
      wasmBindgenVersion: "0.2.127",
      toolSources: { workerBuild: join(root, "worker-build"), wasmBindgenCli: join(root, "wasm-bindgen", "crates", "cli") },
    });
    const fromRegistry = fixture({ "Cargo.toml": pkg(`[dependencies]\nworker = "0.8.7"`), "Cargo.lock": LOCK });
    expect(inspectCrate(fromRegistry).toolSources).toEqual({});
  });

  it.each([
    [`[dependencies]\nworker = { version = "0.8.7", features = ["d1"] }`],
    [`[dependencies.worker]\nversion = "0.8.7"`],
    [`[dependencies]\ncf = { package = "worker", version = "0.8.7" }`],
    [`[target.'cfg(target_arch = "wasm32")'.dependencies]\nworker = "0.8.7"`],
  ])("takes a dependency on worker written as %j", (deps) => {
    const dir = fixture({ "Cargo.toml": pkg(deps), "Cargo.lock": LOCK });
    expect(inspectCrate(dir).workerVersion).toBe("0.8.7");
  });
});

describe("wrh build --crate: the crate's cargo config rustflags", () => {
  const withHome = <T>(body: () => T): T => {
    const saved = process.env.CARGO_HOME;
    process.env.CARGO_HOME = mkdtempSync(join(tmpdir(), "wrh-cargo-home-"));
    try {
      return body();
    } finally {
      if (saved === undefined) delete process.env.CARGO_HOME;
      else process.env.CARGO_HOME = saved;
    }
  };

  it("takes [target.wasm32-unknown-unknown]'s from the configs up the tree (workers-rs's getrandom cfg), nearest first", () => withHome(() => {
    const root = fixture({
      ".cargo/config.toml": `[target.wasm32-unknown-unknown]\nrustflags = ["--cfg", "getrandom_backend=\\"wasm_js\\""]\n`,
      "test/.cargo/config.toml": `[target.wasm32-unknown-unknown]\nrustflags = [\n  "-Ctarget-feature=+simd128", # vectors\n]\n\n[build]\nrustflags = ["-Cignored"]\n`,
      "test/Cargo.toml": pkg(`[dependencies]\nworker = "0.8.7"`),
    });
    const found = configRustflags(join(root, "test"));
    expect(found.flags).toEqual(["-Ctarget-feature=+simd128", "--cfg", 'getrandom_backend="wasm_js"']);
    expect(found.from).toEqual([join(root, "test/.cargo/config.toml"), join(root, ".cargo/config.toml")]);
  }));

  it("falls back to [build]'s, reads the string form, and names a cfg() section it does not evaluate", () => withHome(() => {
    const root = fixture({
      ".cargo/config.toml": `[build]\nrustflags = "-Cdebuginfo=1 -Copt-level=2"\n\n[target.'cfg(target_arch = "wasm32")']\nrustflags = ["-Cx"]\n`,
      "Cargo.toml": pkg(`[dependencies]\nworker = "0.8.7"`),
    });
    expect(configRustflags(root)).toEqual({ flags: ["-Cdebuginfo=1", "-Copt-level=2"], from: [join(root, ".cargo/config.toml")], skipped: [join(root, ".cargo/config.toml")] });
    expect(configRustflags(fixture({ "Cargo.toml": pkg("") })).flags).toEqual([]);
  }));
});

