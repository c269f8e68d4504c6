// Finds a Rust toolchain that can build the workers for wasm32-unknown-unknown with
// -Zbuild-std, offline. Two kinds qualify:
//   - a rustup nightly that has the wasm32 target and the rust-src component;
//   - Debian's rustc-web/cargo-web/rust-web-src with lld-19, whose rust-src ships the vendored
//     sources of every std dependency, so std builds without crates.io.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../errors.ts";

export const WASM_TARGET = "wasm32-unknown-unknown";

const DEBIAN_PACKAGES = ["rustc-web", "cargo-web", "rust-web-src", "lld-19"];

export interface Toolchain {
  /** Where it came from, for messages and the build manifest. */
  kind: "rustup-nightly" | "debian";
  rustc: string;
  cargo: string;
  /** `rustc --version` output, e.g. "rustc 1.96.0 (ac68faa20 2026-05-25)". */
  version: string;
  /** Directory of vendored std dependencies to use instead of crates.io, if the source has one. */
  vendorDir?: string;
  /** Linker for the wasm target when rustc's default (rust-lld) is not shipped. */
  linker?: string;
}

export class ToolchainError extends InputError {
  override name = "ToolchainError";
}

function output(cmd: string, args: string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

function librarySource(sysroot: string): string | undefined {
  const dir = join(sysroot, "lib/rustlib/src/rust/library");
  return existsSync(join(dir, "std/Cargo.toml")) ? dir : undefined;
}

function vendorDirOf(library: string): string | undefined {
  const dir = join(library, "vendor");
  return existsSync(dir) ? dir : undefined;
}

function rustupNightly(): Toolchain | undefined {
  const rustc = output("rustup", ["which", "--toolchain", "nightly", "rustc"]);
  const cargo = output("rustup", ["which", "--toolchain", "nightly", "cargo"]);
  if (!rustc || !cargo) return undefined;
  const sysroot = output(rustc, ["--print", "sysroot"]);
  if (!sysroot || !existsSync(join(sysroot, "lib/rustlib", WASM_TARGET))) return undefined;
  const library = librarySource(sysroot);
  const version = output(rustc, ["--version"]);
  if (!library || !version) return undefined;
  return { kind: "rustup-nightly", rustc, cargo, version, vendorDir: vendorDirOf(library) };
}

function debianRustWeb(): Toolchain | undefined {
  const rustc = "/usr/bin/rustc";
  const cargo = "/usr/bin/cargo";
  if (!existsSync(rustc) || !existsSync(cargo)) return undefined;
  const sysroot = output(rustc, ["--print", "sysroot"]);
  const library = sysroot && librarySource(sysroot);
  const vendorDir = library && vendorDirOf(library);
  const linker = output("sh", ["-c", "command -v wasm-ld-19"]);
  const version = output(rustc, ["--version"]);
  if (!vendorDir || !linker || !version) return undefined;
  return { kind: "debian", rustc, cargo, version, vendorDir, linker };
}

/** The first qualifying toolchain, preferring a rustup nightly. */
export function findToolchain(): Toolchain | undefined {
  return rustupNightly() ?? debianRustWeb();
}

export const INSTALL_HINT =
  `no Rust toolchain can build ${WASM_TARGET} with -Zbuild-std; install one of: ` +
  `\`rustup toolchain install nightly --target ${WASM_TARGET} --component rust-src\` (needs crates.io), or ` +
  `as root on Debian 12: \`apt-get update && apt-get install -y ${DEBIAN_PACKAGES.join(" ")}\``;

/** The toolchain to build with, or a ToolchainError that says what to install. */
export function requireToolchain(): Toolchain {
  const toolchain = findToolchain();
  if (!toolchain) throw new ToolchainError(INSTALL_HINT);
  return toolchain;
}

function canInstallDebianPackages(): boolean {
  return process.getuid?.() === 0 && existsSync("/usr/bin/apt-get") && existsSync("/etc/debian_version");
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], env });
  if (result.status !== 0) {
    throw new ToolchainError(`\`${cmd} ${args.join(" ")}\` failed (exit ${result.status ?? result.signal}); ${INSTALL_HINT}`);
  }
}

/**
 * Finds a toolchain, installing Debian's packages when none is found and this process may
 * (root on Debian). `log` receives one line per step.
 */
export function ensureToolchain(log: (line: string) => void): Toolchain {
  const found = findToolchain();
  if (found) return found;
  if (!canInstallDebianPackages()) throw new ToolchainError(INSTALL_HINT);
  log(`installing Debian packages ${DEBIAN_PACKAGES.join(" ")} with apt-get (about 60 MB)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  // Stale package lists on a fresh image offer an older rustc-web than the security suite has.
  run("apt-get", ["update", "-qq"], env);
  run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...DEBIAN_PACKAGES], env);
  return requireToolchain();
}
