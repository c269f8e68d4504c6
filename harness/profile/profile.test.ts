import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenarios } from "../engine/load-scenarios.ts";
import { fitScenario } from "./fit-scenario.ts";
import { objectNameFor, profileClient } from "./profile-client.ts";
import { loadProfile, validateProfile } from "./profile.ts";

const valid = {
  name: "mine",
  description: "my worker",
  faults: { panic: "/boom" },
  errors: [{ class: "PanicError", body: "PanicError" }],
};

describe("profiles", () => {
  it("loads the built-in workers-rs test-worker profile", () => {
    const profile = loadProfile("workers-rs-test");
    expect(profile.faults).toEqual({ panic: "/test-panic", abort: "/test-abort", oom: "/test-oom", "js-error": "/test-js-error" });
    expect(profile.object).toMatchObject({ path: "/durable/{id}", distinctIds: false, storedStep: 10 });
  });

  it.each([
    [{ ...valid, fautls: {} }, /mine\.json: profile\.fautls: unknown field \(did you mean "faults"\?\)/],
    [{ ...valid, faults: {} }, /faults: needs a route for at least one of/],
    [{ ...valid, faults: { panick: "/x" } }, /faults\.panick: unknown field \(did you mean "panic"\?\)/],
    [{ ...valid, faults: { panic: "boom" } }, /faults\.panic: "boom" must be a path starting with \//],
    [{ ...valid, errors: [{ class: "Panic", body: "x" }] }, /errors\[0\]\.class: "Panic" is not one of PanicError/],
    [{ ...valid, errors: [{ class: "Abort", body: "(" }] }, /errors\[0\]\.body: not a regular expression/],
    [{ ...valid, object: { path: "/o/{id}", distinctIds: true, memory: "memory \\d+", stored: "s(\\d+)" } }, /object\.memory: needs exactly 1 capture group \(the number\), has 0/],
    [{ ...valid, object: { path: "/o", distinctIds: true, memory: "m(\\d+)", stored: "s(\\d+)" } }, /object\.path: needs \{id\}/],
    [{ ...valid, name: "My Worker" }, /name: must be kebab-case/],
    [{ ...valid, object: { path: "/o/{id}", distinctIds: true, memory: "m(\\d+)", stored: "s(\\d+)", name: "counter" } }, /object\.name: "counter" needs \{n\}/],
    [{ ...valid, object: { path: "/o/{id}", distinctIds: true, memory: "m(\\d+)", stored: "s(\\d+)", name: "a/{n}" } }, /object\.name: "a\/\{n\}" must not contain/],
    [{ ...valid, object: { path: "/o/{id}", distinctIds: true, memory: "m(\\d+)", stored: "s(\\d+)", name: "Shared-{n}", avoid: ["shared"] } }, /object\.name: "Shared-\{n\}" contains "shared", which object\.avoid says the worker's router reads meaning into/],
    [{ ...valid, object: { path: "/o/{id}", distinctIds: true, memory: "m(\\d+)", stored: "s(\\d+)", avoid: ["shared", ""] } }, /object\.avoid: must be a list of non-empty words/],
    [{ ...valid, vars: { "SOME-SECRET": "x" } }, /vars\.SOME-SECRET: a variable's name must be a JavaScript identifier/],
    [{ ...valid, vars: { SOME_SECRET: 1 } }, /vars\.SOME_SECRET: /],
  ])("rejects a malformed profile with one line naming the field (%#)", (profile, message) => {
    expect(() => validateProfile(profile, "mine.json")).toThrow(message);
  });

  // workers-rs's test router sends names containing "shared" to another binding: the names the
  // worker sees come from the profile's template, one hex key per object, never the run's id.
  it("names objects from the profile's template, never from the run id", () => {
    const client = profileClient(loadProfile("workers-rs-test"));
    const id = "panic-with-siblings-worker-reset-shared-1";
    const path = client.objects!.write(id).path;
    expect(path).toMatch(/^\/durable\/wrh-[0-9a-f]{12}$/);
    expect(client.objects!.read(id).path).toBe(path);
    expect(client.objects!.write(`${id}-other`).path).not.toBe(path);
    expect(objectNameFor("counter-{n}", id)).toBe(objectNameFor("counter-{n}", id));
  });

  it("never gives an object a name holding a word the profile avoids, even one its hex key spells", () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `run-${i}`);
    const spelled = ids.filter((id) => objectNameFor("o-{n}", id).includes("a"));
    expect(spelled.length).toBeGreaterThan(0);
    for (const id of spelled) expect(objectNameFor("o-{n}", id, ["A"])).toMatch(/^o-[0-9b-f]{12}$/);
    expect(objectNameFor("o-{n}", ids[0]!, ["zz"])).toBe(objectNameFor("o-{n}", ids[0]!));
    expect(loadProfile("workers-rs-test").object!.avoid).toEqual(["shared"]);
  });

  it("names a missing profile and a file that is not JSON", () => {
    expect(() => loadProfile("nope")).toThrow(/--profile nope: no such profile file or built-in profile \(built in: workers-rs-test\)/);
    const file = join(mkdtempSync(join(tmpdir(), "wrh-profile-")), "broken.json");
    writeFileSync(file, "{ name: ");
    expect(() => loadProfile(file)).toThrow(/broken\.json: not valid JSON/);
  });

  it("reads failures and counter bodies the profile's way", () => {
    const client = profileClient(loadProfile("workers-rs-test"));
    const headers = new Headers();
    expect(client.read(500, headers, "PanicError: Intentional panic").errorClass).toBe("PanicError");
    expect(client.read(500, headers, "The Workers runtime canceled this request").errorClass).toBe("Canceled");
    expect(client.read(500, headers, "Abort: RuntimeError: unreachable").errorClass).toBe("Abort");
    expect(client.read(500, headers, "something else").errorClass).toBe("Unrecognised");
    expect(client.read(200, headers, "[durable_object]: self.count: 30, self.unstored_count: 1, secret value: x").body)
      .toEqual({ memory: 1, stored: 3, wrote: true });
  });

  it("fits catalog scenarios to what the profile can do, and says what it left out", async () => {
    const client = profileClient(loadProfile("workers-rs-test"));
    const catalog = await loadScenarios();
    const fit = fitScenario(catalog.find((s) => s.name === "panic-with-siblings")!, client);
    expect(fit.runs).toBe(true);
    if (!fit.runs) return;
    expect(fit.scenario.workload).toEqual({ inflight: { handler: 20, object: 4 }, later: { handler: 20, object: 4 }, handles: 0 });
    expect(fit.leftOut.join("; ")).toMatch(/3 Rust object handle\(s\).*parking: the 24 in-flight sibling\(s\) are sent alongside the fault/);
    expect(fitScenario(catalog.find((s) => s.name === "object-panic")!, client)).toEqual({ runs: false, reason: "no route for panic in durable-object" });
  });
});
