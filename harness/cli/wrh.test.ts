import { describe, expect, it } from "vitest";
import { wrh } from "../testing/spawn-wrh.ts";
import { parseSize } from "./commands.ts";

describe("wrh", () => {
  it.each([
    [["build", "--variant", "nope"], /unknown variant "nope"; choose from abort, unwind, unwind-exnref/],
    [["build", "--max-memory", "lots"], /--max-memory: cannot read "lots"/],
    [["build", "--max-memory", "1000"], /multiple of 64 KiB/],
    [["build", "--colour"], /Unknown option '--colour'/],
    [["frobnicate"], /unknown command "frobnicate"/],
  ])("%j is bad input: exit 2 with a one-line error", (args, message) => {
    const { status, stderr } = wrh(...args);
    expect(status).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });

  it("help lists the commands and exits 0", () => {
    const { status, stdout } = wrh("help");
    expect(status).toBe(0);
    expect(stdout).toMatch(/wrh build/);
    expect(stdout).toMatch(/wrh setup/);
  });

  it("build with nothing changed compiles nothing", () => {
    const { status, stderr } = wrh("build", "--variant", "abort");
    expect(status).toBe(0);
    expect(stderr).toMatch(/abort: wasm up to date, worker up to date/);
    expect(stderr).not.toMatch(/Compiling/);
  });

  it("toolchain prints the toolchain it would use", () => {
    const { status, stdout } = wrh("toolchain");
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ version: expect.stringMatching(/^rustc /) });
  });
});

describe("parseSize", () => {
  it("reads bytes and binary units", () => {
    expect(parseSize("65536")).toBe(65536);
    expect(parseSize("64MiB")).toBe(64 * 1024 * 1024);
    expect(parseSize("1g")).toBe(1024 ** 3);
  });
});
