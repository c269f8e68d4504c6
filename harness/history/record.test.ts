import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resets } from "../../scenarios/expectations.ts";
import { fault, run, sibling } from "../testing/synthetic.ts";
import { appendHistory, HistoryFileError, historyRuns, readHistory } from "./file.ts";

const file = () => join(mkdtempSync(join(tmpdir(), "wrh-history-")), "history.jsonl");

describe("history files", () => {
  it("read back run by run what was appended, across read chunks and multi-byte text", () => {
    const path = file();
    // Each run's records outgrow one 1 MiB read; the messages put multi-byte characters across chunk edges.
    const long = "ünïcødé ✓ 日本 🦀 ".repeat(2_000);
    const runs = [1, 2, 3].map((n) => run(resets(["Abort"]), [
      fault("Abort", { message: long }), ...Array.from({ length: 20 }, () => sibling("later", { message: long })),
    ], { runId: `synthetic/${n}/reset/shared/1` }));
    for (const r of runs) appendHistory(path, r);
    expect(readHistory(path)).toEqual(runs);
    expect([...historyRuns(path)].map((r) => r.runId)).toEqual(runs.map((r) => r.runId));
  });

  it("refuses what is not a history, naming the line", () => {
    const path = file();
    writeFileSync(path, `${JSON.stringify({ header: "run", runId: "a" })}\n{"run":"b","id":1}\n`);
    expect(() => readHistory(path)).toThrow(new HistoryFileError(`${path}:2: a record of run b without its run header line; histories written before the header format cannot be judged again`));
    writeFileSync(path, "not json\n");
    expect(() => readHistory(path)).toThrow(/:1: not JSON/);
    writeFileSync(path, "\n");
    expect(() => readHistory(path)).toThrow(/no runs in it/);
  });
});
