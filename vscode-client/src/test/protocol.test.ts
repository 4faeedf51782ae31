import assert from "node:assert/strict";
import { test } from "node:test";
import { candidateItemText, diffSummary } from "../population";
import { asGrid, parseApplyOutcome, parseCandidates, parseEvolutionStatus, parseRunResult } from "../protocol";
import { ScriptStates } from "../scriptStates";
import { isScriptPath, scriptName } from "../scripts";

test("only rectangular integer grids are grids", () => {
  assert.deepEqual(asGrid([[1, 2], [3, 4]]), [[1, 2], [3, 4]]);
  assert.equal(asGrid([[1, 2], [3]]), null);
  assert.equal(asGrid([]), null);
  assert.equal(asGrid([[1.5]]), null);
  assert.equal(asGrid({ rows: 1 }), null);
});

test("a malformed run result is rejected, odd fields fall back, bad pairs are dropped", () => {
  assert.equal(parseRunResult(null), null);
  assert.equal(parseRunResult({ trainPassed: 1 }), null, "no uri");
  const r = parseRunResult({
    uri: "file:///a.synth.py",
    trainPassed: "2",
    pairs: [{ split: "train", index: 0, passed: false, input: [[1]], expected: [[1, 2]], actual: "x", diffCells: [[0, 1], ["a", 1], [1]] }, { split: "val" }, 7],
  })!;
  assert.equal(r.trainPassed, 0);
  assert.equal(r.version, null);
  assert.equal(r.pairs.length, 1);
  assert.equal(r.pairs[0].actual, null);
  assert.deepEqual(r.pairs[0].diffCells, [[0, 1]]);
});

test("an unscored pair is neither passed nor failed", () => {
  const r = parseRunResult({ uri: "u", pairs: [{ split: "test", index: 0, passed: false, scored: false }] })!;
  assert.equal(r.pairs[0].passed, null);
});

test("evolution status needs a known state", () => {
  assert.equal(parseEvolutionStatus({ uri: "u", state: "exploding" }), null);
  const s = parseEvolutionStatus({ uri: "u", state: "finished", generation: 4, generations: 10, bestReward: 1 })!;
  assert.equal(s.state, "finished");
  assert.equal(s.bestTrainPassed, null);
});

test("candidates keep their id as the server spelled it", () => {
  const cs = parseCandidates([
    { id: 7, origin: "mutation", generation: 2, trainPassed: 5, trainTotal: 5, trainReward: 1, testPassed: 1, testTotal: 1, script: "x", diff: "--- a\n+++ b\n@@\n-a\n+b\n+c\n", beatsCurrent: true },
    { id: "no-script" },
    "junk",
  ]);
  assert.equal(cs.length, 1);
  assert.equal(cs[0].id, 7);
  const text = candidateItemText(cs[0]);
  assert.equal(text.label, "$(arrow-up) 1.00 · train 5/5 · test 1/1");
  assert.equal(text.description, "mutation · generation 2");
  assert.equal(text.detail, "+2 −1 lines against the current script");
  const stale = candidateItemText({ ...cs[0], current: false, note: "tiles the grid" });
  assert.equal(stale.description, "mutation · generation 2 · scored on other examples");
  assert.equal(stale.detail, "+2 −1 lines against the current script · tiles the grid");
  assert.equal(diffSummary(""), "same as the current script");
  assert.deepEqual(parseApplyOutcome(undefined), { applied: false, message: "the server gave no answer" });
});

test("script states keep the newest version per script and tell listeners", () => {
  const states = new ScriptStates((u) => u.toLowerCase());
  const seen: string[] = [];
  states.onChange((u) => seen.push(u));
  const base = parseRunResult({ uri: "file:///A.synth.py", version: 3, trainPassed: 1, trainTotal: 2 })!;
  states.setRun(base);
  states.setRun({ ...base, version: 2, trainPassed: 0 });
  assert.equal(states.run("file:///a.synth.py")?.trainPassed, 1, "an older version does not replace a newer one");
  states.setRun({ ...base, version: 4, trainPassed: 2 });
  assert.equal(states.run("file:///a.synth.py")?.trainPassed, 2);
  states.clear();
  assert.equal(states.run("file:///a.synth.py"), undefined);
  assert.deepEqual(seen, ["file:///a.synth.py", "file:///a.synth.py", "file:///a.synth.py"]);
});

test("script names", () => {
  assert.ok(isScriptPath("/w/x.synth.py"));
  assert.ok(!isScriptPath("/w/x.py"));
  assert.ok(!isScriptPath(".synth.py"));
  assert.equal(scriptName("/w/sub/x.synth.py"), "x.synth.py");
});
