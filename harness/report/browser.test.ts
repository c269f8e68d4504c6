// A real report in a real browser: `wrh repro` writes report.html, headless Chromium (Debian's,
// driven by playwright-core; nothing is downloaded) renders it, and what a reader needs must be
// on screen: the lanes, the fault's window, the generation line, the verdict table. The bars
// are where the history puts them: siblings that failed with the fault end before the release
// probe starts, not under it.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wrh } from "../testing/spawn-wrh.ts";
import type { HistoryRecord } from "../history/record.ts";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

describe("report.html in headless Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); .ci/run does`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("shows the lanes, the fault, the generation line and the verdicts of a reset", async () => {
    const out = mkdtempSync(join(tmpdir(), "wrh-browser-"));
    const repro = wrh("repro", "abort-with-siblings", "--strategy", "reset", "--out", out);
    expect(repro.status, repro.stderr).toBe(0);
    const records = readFileSync(join(out, "history.jsonl"), "utf8").trim().split("\n").slice(1).map((line) => JSON.parse(line) as HistoryRecord);

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(pathToFileURL(join(out, "report.html")).href);
    const lanes = page.locator(".timeline .lane:not(.axis)");
    expect(await lanes.count()).toBeGreaterThan(3);
    await expect.poll(() => lanes.first().isVisible()).toBe(true);
    for (const selector of [".fault-window", ".generation-line", ".marks.faults a, .marks.faults span", "table.verdicts"]) {
      const box = await page.locator(selector).first().boundingBox();
      expect(box, selector).not.toBeNull();
      expect(box!.height, selector).toBeGreaterThan(0);
    }
    const rows = page.locator("table.verdicts tbody tr");
    expect(await rows.count()).toBeGreaterThan(5);
    expect(await page.locator("table.verdicts .badge.fail").count()).toBe(0);

    // Bars: the right edge of every sibling that failed fast, against the release probe's left edge.
    const edge = async (record: HistoryRecord) => (await page.locator(`[id$="-op-${record.id}"]`).boundingBox())!;
    const release = records.find((r) => r.kind === "release")!;
    const failedFast = records.filter((r) => r.role === "inflight" && r.errorClass === "StaleInstance");
    expect(failedFast.length).toBeGreaterThan(0);
    const releaseLeft = (await edge(release)).x;
    for (const sibling of failedFast) {
      const box = await edge(sibling);
      expect(box.x + box.width, `#${sibling.id} ends after the release probe starts`).toBeLessThanOrEqual(releaseLeft + 1);
    }
    await page.close();
  }, 60_000);
});
