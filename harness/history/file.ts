// History files: JSON lines where each run is a `RunHeader` line followed by its
// `HistoryRecord` lines; `wrh report <file>` judges them again.
import { appendFileSync, closeSync, mkdirSync, openSync, readSync } from "node:fs";
import { dirname } from "node:path";
import { StringDecoder } from "node:string_decoder";
import type { HistoryRecord } from "./record.ts";
import type { ScenarioRun } from "./run.ts";
import { InputError } from "../errors.ts";

/**
 * The line before a run's records: everything about the run except its records (scenario,
 * configuration, worker output), so the file alone is enough to judge it again.
 */
export type RunHeader = { header: "run" } & Omit<ScenarioRun, "records">;

export class HistoryFileError extends InputError {
  override name = "HistoryFileError";
}

/** Appends a run (header, then records) to a JSON-lines file, creating its directory. */
export function appendHistory(path: string, run: ScenarioRun): void {
  mkdirSync(dirname(path), { recursive: true });
  const { records, ...rest } = run;
  const header: RunHeader = { header: "run", ...rest };
  appendFileSync(path, [header, ...records].map((line) => JSON.stringify(line)).join("\n") + "\n");
}

/** The lines of a file, read a chunk at a time: a history can be larger than a string may be. */
function* linesOf(path: string): Generator<string> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw new HistoryFileError(`${path}: cannot read: ${(error as Error).message}`);
  }
  try {
    const chunk = Buffer.alloc(1 << 20);
    const decoder = new StringDecoder("utf8");
    let pending = "";
    for (let read; (read = readSync(fd, chunk)) > 0;) {
      const lines = (pending + decoder.write(chunk.subarray(0, read))).split("\n");
      pending = lines.pop()!;
      yield* lines;
    }
    pending += decoder.end();
    if (pending) yield pending;
  } finally {
    closeSync(fd);
  }
}

/**
 * The runs in a history file, as the engine produced them, one at a time: each is complete
 * (header and every record) when it is yielded, and nothing before it is held.
 */
export function* historyRuns(path: string): Generator<ScenarioRun> {
  let current: ScenarioRun | undefined;
  let index = 0;
  for (const line of linesOf(path)) {
    index++;
    if (!line.trim()) continue;
    let value: (RunHeader | HistoryRecord) & { header?: unknown };
    try {
      value = JSON.parse(line);
    } catch {
      throw new HistoryFileError(`${path}:${index}: not JSON; is this a history.jsonl written by wrh?`);
    }
    if (value.header === "run") {
      if (current) yield current;
      const { header: _, ...run } = value as RunHeader;
      current = { ...run, records: [] };
    } else if (typeof (value as HistoryRecord).run !== "string") {
      throw new HistoryFileError(`${path}:${index}: neither a run header nor a history record; is this a history.jsonl written by wrh?`);
    } else if (current?.runId === (value as HistoryRecord).run) {
      current.records.push(value as HistoryRecord);
    } else {
      throw new HistoryFileError(`${path}:${index}: a record of run ${(value as HistoryRecord).run} without its run header line; histories written before the header format cannot be judged again`);
    }
  }
  if (!current) throw new HistoryFileError(`${path}: no runs in it`);
  yield current;
}

/** Every run in a history file. */
export function readHistory(path: string): ScenarioRun[] {
  return [...historyRuns(path)];
}
