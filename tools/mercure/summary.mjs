// Prints a short summary of a Playwright JSON report: one line per failed test with the first
// line of its error, then "N passed, N failed, N skipped". Exits 1 when anything failed or the
// report is missing (the run did not get as far as writing it).
import fs from "node:fs";

const [file, nodes] = process.argv.slice(2);
let report;
try {
  report = JSON.parse(fs.readFileSync(file, "utf8"));
} catch (err) {
  console.error(`summary: no readable Playwright report at ${file}: ${err.message}`);
  process.exit(1);
}

const rows = [];
(function walk(suites, path) {
  for (const suite of suites ?? []) {
    const here = suite.title && !suite.title.endsWith(".ts") ? [...path, suite.title] : path;
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        const last = test.results?.[test.results.length - 1];
        const message = (last?.error?.message ?? last?.errors?.[0]?.message ?? "")
          .replace(/\u001b\[[0-9;]*m/g, "")
          .split("\n")
          .map((l) => l.trim())
          .filter(Boolean)
          .slice(0, 3)
          .join(" | ");
        // The suite logs the page's steps to the console; its last lines say how far a test got
        // (e.g. "EventSource created" and never "EventSource opened": the subscription failed).
        const pageLog = (last?.stdout ?? [])
          .flatMap((o) => String(o.text ?? "").split("\n"))
          .map((l) => l.trim())
          .filter((l) => l && !l.startsWith("data: "))
          .slice(-3)
          .map((l) => (l.length > 160 ? `${l.slice(0, 157)}...` : l))
          .join(" / ");
        rows.push({ title: [...here, spec.title].join(" › "), status: test.status, message, pageLog });
      }
    }
    walk(suite.suites, here);
  }
})(report.suites, []);

const passed = rows.filter((r) => r.status === "expected" || r.status === "flaky").length;
const skipped = rows.filter((r) => r.status === "skipped").length;
const failed = rows.filter((r) => r.status === "unexpected");

console.log(`\n=== Mercure conformance, ${nodes} node(s) ===`);
for (const r of rows) {
  const mark = { expected: "ok  ", flaky: "ok? ", skipped: "skip", unexpected: "FAIL" }[r.status] ?? r.status;
  console.log(`${mark} ${r.title}`);
  if (r.status === "unexpected") {
    if (r.message) console.log(`       ${r.message}`);
    if (r.pageLog) console.log(`       page log: ${r.pageLog}`);
  }
}
for (const err of report.errors ?? []) {
  console.log(`ERROR ${String(err.message ?? err).split("\n")[0]}`);
}
console.log(`${passed} passed, ${failed.length} failed, ${skipped} skipped`);
process.exit(failed.length > 0 || (report.errors ?? []).length > 0 || rows.length === 0 ? 1 : 0);
