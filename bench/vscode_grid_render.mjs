// The VS Code grid view's cost per run result: parse the synthLsp/runResult payload and render
// the page (vscode-client/src/gridHtml.ts), against the baseline every client pays anyway:
// JSON.parse of the same message. Alternating, medians, same process.
//
//   (cd vscode-client && npx tsc -p tsconfig.test.json)   # compiles the pure modules to out/
//   node bench/vscode_grid_render.mjs [--runs N]
//
// Tasks: 007bbfb7 (3x3 -> 9x9, from examples/) and 3631a71a (30x30, from the shared ARC copy
// when present). The "actual" grid is the expected one with every 7th cell changed, so the
// page marks differing cells as it would for a near miss.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const out = join(repo, "vscode-client", "out");
if (!existsSync(join(out, "gridHtml.js"))) {
  console.error("compile first: (cd vscode-client && npx tsc -p tsconfig.test.json)");
  process.exit(2);
}
const { renderGridPage } = require(join(out, "gridHtml.js"));
const { parseRunResult } = require(join(out, "protocol.js"));

const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 200;

const tasks = [
  ["007bbfb7", join(repo, "examples", "arc", "007bbfb7.json")],
  ["3631a71a", join(repo, "..", "shared", "arc", "ARC-AGI-1", "training", "3631a71a.json")],
].filter(([, p]) => existsSync(p));

function nearMiss(grid) {
  const diffCells = [];
  const actual = grid.map((row, r) =>
    row.map((v, c) => {
      if ((r * row.length + c) % 7 !== 0) return v;
      diffCells.push([r, c]);
      return (v + 1) % 10;
    }),
  );
  return { actual, diffCells };
}

function message(task) {
  const pairs = [];
  for (const split of ["train", "test"]) {
    task[split].forEach((p, index) => {
      const { actual, diffCells } = nearMiss(p.output);
      pairs.push({ split, index, passed: false, scored: true, input: p.input, expected: p.output, actual, diffCells, error: null, stdout: "", stderr: "" });
    });
  }
  return JSON.stringify({
    uri: "file:///w/x.synth.py", version: 1, trainPassed: 0, trainTotal: task.train.length, trainReward: 0,
    testPassed: 0, testTotal: task.test.length, durationMs: 10, error: null, pairs,
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

console.log(`| task | pairs | cells drawn | message KB | page KB | JSON.parse median / p95 (ms) | parse + render median / p95 (ms) | ratio (medians) |`);
console.log(`|---|---|---|---|---|---|---|---|`);
for (const [name, path] of tasks) {
  const text = message(JSON.parse(readFileSync(path, "utf8")));
  const env = { nonce: "bench", cspSource: "vscode-resource:" };
  let html = "";
  for (let i = 0; i < 20; i++) html = renderGridPage({ scriptName: "x.synth.py", run: parseRunResult(JSON.parse(text)) }, env); // warm-up
  const base = [];
  const view = [];
  for (let i = 0; i < RUNS; i++) {
    let t0 = process.hrtime.bigint();
    JSON.parse(text);
    base.push(ms(t0));
    t0 = process.hrtime.bigint();
    html = renderGridPage({ scriptName: "x.synth.py", run: parseRunResult(JSON.parse(text)) }, env);
    view.push(ms(t0));
  }
  const cells = (html.match(/<td /g) ?? []).length;
  const pairs = JSON.parse(text).pairs.length;
  console.log(
    `| ${name} | ${pairs} | ${cells} | ${(text.length / 1024).toFixed(1)} | ${(html.length / 1024).toFixed(1)} | ` +
      `${median(base).toFixed(3)} / ${p95(base).toFixed(3)} | ${median(view).toFixed(3)} / ${p95(view).toFixed(3)} | ` +
      `${(median(view) / median(base)).toFixed(1)}x |`,
  );
}
