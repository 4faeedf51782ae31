import assert from "node:assert/strict";
import { test } from "node:test";
import type { EvolutionStatus, RunResult } from "../protocol";
import { statusView } from "../statusText";

const run = (over: Partial<RunResult> = {}): RunResult => ({
  uri: "file:///w/a.synth.py",
  version: 1,
  trainPassed: 2,
  trainTotal: 5,
  trainReward: 0.4,
  testPassed: 0,
  testTotal: 1,
  durationMs: 12.4,
  error: null,
  pairs: [],
  ...over,
});

const evo = (over: Partial<EvolutionStatus> = {}): EvolutionStatus => ({
  uri: "file:///w/a.synth.py",
  state: "running",
  generation: 3,
  generations: 10,
  bestReward: 0.8,
  bestTrainPassed: 4,
  trainTotal: 5,
  calls: 12,
  tokens: 9000,
  costUsd: 0.01,
  message: "",
  ...over,
});

const running = { kind: "running" } as const;

test("a partial result shows passed/total, the reward and the test result", () => {
  const v = statusView(running, run(), undefined);
  assert.equal(v.text, "$(warning) train 2/5 (0.40) · test 0/1");
  assert.equal(v.kind, "partial");
  assert.match(v.tooltip, /2 of 5 train pairs/);
  assert.match(v.tooltip, /12 ms/);
  assert.match(v.tooltip, /start evolution/);
  assert.equal(v.clickStops, false);
});

test("a script that fits the train pairs shows the full reward, and says what was measured", () => {
  const v = statusView(running, run({ trainPassed: 5, trainReward: 1, testPassed: 1 }), undefined);
  assert.equal(v.text, "$(pass) train 5/5 (1.00) · test 1/1");
  assert.equal(v.kind, "ok");
  assert.match(v.tooltip, /^Fits the train pairs: all 5 match exactly/);
  assert.doesNotMatch(v.text + v.tooltip, /solved/i);
});

test("no test pairs with answers is said, not shown as 0/0", () => {
  assert.match(statusView(running, run({ testTotal: 0, testPassed: 0 }), undefined).text, /test n\/a$/);
});

test("evolution state is appended, and a click stops a running evolution", () => {
  const v = statusView(running, run(), evo());
  assert.equal(v.text, "$(warning) train 2/5 (0.40) · test 0/1 · $(sync~spin) evolving 3/10 best 0.80");
  assert.equal(v.clickStops, true);
  assert.match(v.tooltip, /stop evolution/);
  assert.match(statusView(running, run(), evo({ generation: 0, generations: 0, bestReward: null })).text, / · \$\(sync~spin\) evolving$/);
  assert.match(statusView(running, run(), evo({ state: "finished", bestReward: 1 })).text, / · evolved best 1\.00$/);
  assert.match(statusView(running, run(), evo({ state: "crashed" })).text, /evolution crashed/);
  assert.match(statusView(running, run(), evo({ state: "failed" })).text, /evolution cannot run/);
  assert.match(statusView(running, run(), evo({ state: "queued" })).text, / · \$\(clock\) evolution queued$/);
  assert.equal(statusView(running, run(), evo({ state: "idle" })).text, "$(warning) train 2/5 (0.40) · test 0/1");
});

test("a stopped server and a run that could not happen are errors with the reason in the tooltip", () => {
  const stopped = statusView({ kind: "stopped", reason: "python9 was not found" }, run(), undefined);
  assert.equal(stopped.kind, "error");
  assert.match(stopped.tooltip, /python9 was not found/);
  assert.match(stopped.tooltip, /Restart Server/);
  const broken = statusView(running, run({ error: "examples file missing: a.json" }), undefined);
  assert.equal(broken.kind, "error");
  assert.match(broken.tooltip, /examples file missing/);
  assert.equal(statusView(running, undefined, undefined).kind, "waiting");
  assert.equal(statusView({ kind: "starting" }, undefined, undefined).kind, "waiting");
});
