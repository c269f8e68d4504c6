// A fix's test in upstream's form (docs/upstream/<finding>/upstream-test.rs) embeds the crate and
// the Node script that `npm run test:upstream` runs here: they must stay the same text, or what
// was shown to fail and pass here is not what a maintainer would paste.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { upstreamTests } from "./upstream-tests.ts";

/** The raw string after `marker` in a Rust source, with the indentation of its first line removed from every line. */
function rawStringAfter(source: string, marker: string): string {
  const start = source.indexOf(marker);
  expect(start, `${marker} in upstream-test.rs`).toBeGreaterThanOrEqual(0);
  const open = source.indexOf('r#"\n', start) + 'r#"\n'.length;
  const body = source.slice(open, source.indexOf('"#', open));
  const indent = /^ */.exec(body)![0].length;
  return body.split("\n").map((line) => line.slice(Math.min(indent, /^ */.exec(line)![0].length))).join("\n").replace(/ +$/, "");
}

describe("fix candidates' tests in upstream's form", () => {
  const tests = upstreamTests();

  it("every docs/upstream/<finding>/upstream.json names its project, script and patches, and they exist", () => {
    expect(tests.map(({ test }) => test.finding)).toContain("F9");
    for (const { dir, test } of tests) {
      const runs = test.form === "workers-rs" ? test.spec : test.node;
      for (const path of [join(test.project, "Cargo.toml"), join(test.project, "Cargo.lock"), join(test.project, runs)]) {
        expect(existsSync(join(dir, path)), `${test.finding}: ${path}`).toBe(true);
      }
      expect(test.patches.length, `${test.finding}: patches`).toBeGreaterThan(0);
      for (const patch of test.patches) expect(existsSync(patch.file), patch.file).toBe(true);
    }
  });

  const embedding = upstreamTests().flatMap(({ dir, test }) => test.form !== "workers-rs" && existsSync(join(dir, "upstream-test.rs")) ? [[test.finding, dir, test] as const] : []);
  it.each(embedding)(
    "%s: upstream-test.rs embeds the crate and the script run here, verbatim",
    (_finding, dir, test) => {
      const rust = readFileSync(join(dir, "upstream-test.rs"), "utf8");
      const project = /Project::new\("([^"]+)"\)/.exec(rust)![1]!;
      const crate = /^name\s*=\s*"([^"]+)"/m.exec(readFileSync(join(dir, test.project, "Cargo.toml"), "utf8"))![1]!;
      expect(rawStringAfter(rust, '.file(\n            "src/lib.rs",')).toBe(readFileSync(join(dir, test.project, "src", "lib.rs"), "utf8"));
      const script = readFileSync(join(dir, test.project, test.node), "utf8").replace(`require("./${crate}.js")`, `require("./${project}.js")`);
      expect(rawStringAfter(rust, "fs::write(")).toBe(script);
    },
  );
});
