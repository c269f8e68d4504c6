import { describe, expect, it } from "vitest";
import { BuildError } from "./build/build.ts";
import { ToolchainError } from "./build/toolchain.ts";
import { UsageError } from "./cli/usage.ts";
import { exitCodeFor, HarnessError, InputError } from "./errors.ts";
import { ProfileError } from "./profile/profile.ts";

describe("one error taxonomy: the exit code of every command", () => {
  it("the work failing is 1, bad input or environment 2, the harness's own failure 3", () => {
    expect(exitCodeFor(new BuildError("does not compile"))).toBe(1);
    for (const error of [new UsageError("unknown option"), new ToolchainError("no wasm32 target"), new ProfileError("bad profile"), new InputError("x")]) {
      expect(exitCodeFor(error), error.name).toBe(2);
    }
    expect(exitCodeFor(new HarnessError("workerd never came up"))).toBe(3);
  });

  it("a file the user named that is not there, or not JSON, is bad input", () => {
    expect(exitCodeFor(Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT" }))).toBe(2);
    expect(exitCodeFor(new SyntaxError("Unexpected token"))).toBe(2);
    expect(exitCodeFor(Object.assign(new TypeError("Unknown option '--colour'"), { code: "ERR_PARSE_ARGS_UNKNOWN_OPTION" }))).toBe(2);
  });

  it("anything else that escapes is the harness's failure, never blamed on the input", () => {
    expect(exitCodeFor(new TypeError("cannot read properties of undefined"))).toBe(3);
    expect(exitCodeFor(new Error("the handler isolate never said how many requests it has parked"))).toBe(3);
    expect(exitCodeFor("a string")).toBe(3);
  });
});
