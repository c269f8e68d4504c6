import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { profileWithSecret, wrh } from "../testing/spawn-wrh.ts";

describe("wrh repro and wrh report", () => {
  it("reproduces one scenario into a history and an HTML timeline, and a report of that history judges it the same", () => {
    const out = mkdtempSync(join(tmpdir(), "wrh-repro-"));
    const repro = wrh("repro", "abort-with-siblings", "--strategy", "none", "--seed", "7", "--out", out);
    expect(repro.status).toBe(0);
    expect(repro.stdout).toMatch(/abort-with-siblings\s+none \(abort\)\s+shared\s+1\s+holds\s+(\d+)/);
    const blast = Number(/holds\s+(\d+)/.exec(repro.stdout)![1]);
    expect(blast).toBeGreaterThan(0);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toMatch(/abort-with-siblings/);
    expect(html).toMatch(/fault abort@handler/);
    expect(JSON.parse(readFileSync(join(out, "history.jsonl"), "utf8").split("\n")[0]!)).toMatchObject({
      header: "run", runId: "abort-with-siblings/abort/none/shared/1", config: { seed: 7, strategy: "none" },
    });

    const again = mkdtempSync(join(tmpdir(), "wrh-report-"));
    const report = wrh("report", join(out, "history.jsonl"), "--report", "json", "--report", "html", "--out", again);
    expect(report.status).toBe(0);
    expect(report.stdout).toContain(`holds    ${blast}`);
    const judged = JSON.parse(readFileSync(join(again, "report.json"), "utf8"));
    expect(judged.runs[0].blastRadius).toBe(blast);
    expect(judged.runs[0].verdicts.every((v: { status: string }) => v.status === "holds")).toBe(true);
  });

  it("exits 1 with the evidence when the reproduced run breaks a guarantee (judged under a promise it cannot keep)", () => {
    const out = mkdtempSync(join(tmpdir(), "wrh-repro-"));
    const { status, stdout } = wrh("repro", "abort-with-siblings", "--worker", "dist/unwind", "--profile", profileWithSecret(), "--strategy", "reset", "--out", out);
    expect(status).toBe(0);
    expect(stdout).toMatch(/abort-with-siblings\s+reset \(worker\)/);
    const wrong = wrh("repro", "panic-with-siblings", "--worker", "dist/unwind", "--profile", profileWithSecret(), "--strategy", "reset", "--out", mkdtempSync(join(tmpdir(), "wrh-repro-")));
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toMatch(/panic-with-siblings\/worker\/reset\/shared\/1: classification: fault ended as PanicError, allowed: Abort/);
  });
});
