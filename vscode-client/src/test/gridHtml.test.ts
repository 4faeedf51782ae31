import assert from "node:assert/strict";
import { test } from "node:test";
import { ARC_PALETTE, escapeHtml, renderGrid, renderGridPage, renderPair } from "../gridHtml";
import { parseRunResult, type PairResult } from "../protocol";

const env = { nonce: "N0nce", cspSource: "vscode-resource:" };

const pair = (over: Partial<PairResult> = {}): PairResult => ({
  split: "train",
  index: 0,
  passed: false,
  input: [[0, 7], [7, 7]],
  expected: [[1, 2], [3, 4]],
  actual: [[1, 9], [3, 5]],
  diffCells: [[0, 1], [1, 1]],
  error: null,
  stdout: "",
  stderr: "",
  ...over,
});

const count = (html: string, needle: RegExp) => (html.match(needle) ?? []).length;

test("the palette is ARC's, in order", () => {
  assert.deepEqual(ARC_PALETTE, ["#000000", "#0074D9", "#FF4136", "#2ECC40", "#FFDC00", "#AAAAAA", "#F012BE", "#FF851B", "#7FDBFF", "#870C25"]);
});

test("a grid is a table with one coloured cell per value and marked cells outlined", () => {
  const html = renderGrid([[0, 9], [5, 3]], new Set(["1,0"]), "g");
  assert.equal(count(html, /<tr>/g), 2);
  assert.equal(count(html, /<td /g), 4);
  assert.match(html, /<td class="c0"><\/td>/);
  assert.match(html, /class="c9"/);
  assert.match(html, /class="c5 d" title="\(1, 0\) = 5, differs"/);
  assert.equal(count(html, / d"/g), 1);
});

test("values outside 0-9 are drawn as unknown, not as a wrong colour", () => {
  assert.match(renderGrid([[12]], new Set(), "g"), /class="cx"/);
});

test("a failing pair shows input, expected and actual with the differing cells marked in both", () => {
  const html = renderPair(pair());
  assert.match(html, /data-passed="false" data-diff-count="2"/);
  assert.match(html, /✗ 2 cells differ/);
  assert.match(html, /<figcaption>input<\/figcaption>/);
  assert.match(html, /<figcaption>expected 2×2<\/figcaption>/);
  assert.match(html, /<figcaption>actual 2×2<\/figcaption>/);
  // two marks in expected and two in actual; none in the input
  assert.equal(count(html, / d"/g), 4);
});

test("a shape mismatch and a run error are spelled out, and error text is escaped", () => {
  const html = renderPair(pair({ actual: [[1]], diffCells: [], error: "IndexError: <bad> & co" }));
  assert.match(html, /actual 1×1 \(shape differs\)/);
  assert.match(renderPair(pair({ actual: [[1]], diffCells: [] })), /✗ shape 1×1, expected 2×2/);
  assert.match(html, /IndexError: &lt;bad&gt; &amp; co/);
  assert.match(html, /✗ error/);
  assert.doesNotMatch(html, /<bad>/);
});

test("what the script printed is shown per pair, escaped, and only when there is some", () => {
  const html = renderPair(pair({ stdout: "n = 3 <ok>\n", stderr: "warn" }));
  assert.match(html, /<summary>printed<\/summary><pre>n = 3 &lt;ok&gt;/);
  assert.match(html, /<summary>stderr<\/summary><pre>warn/);
  assert.doesNotMatch(renderPair(pair()), /<details/);
});

test("a passing pair and a non-grid pair", () => {
  assert.match(renderPair(pair({ passed: true, actual: [[1, 2], [3, 4]], diffCells: [] })), /class="pair pass".*✓ matches/s);
  const generic = renderPair(pair({ input: null, expected: null, actual: null, inputJson: { a: 1 }, expectedJson: { n: "<3>" }, actualJson: { n: 2 } }));
  assert.match(generic, /<pre class="json">/);
  assert.match(generic, /&lt;3&gt;/);
});

test("the page forbids scripts, uses its nonce, and says what to do when there is nothing to show", () => {
  const empty = renderGridPage({ scriptName: null, run: undefined }, env);
  assert.match(empty, /default-src 'none'; style-src vscode-resource: 'nonce-N0nce'/);
  assert.doesNotMatch(empty, /<script/);
  assert.match(empty, /<style nonce="N0nce">/);
  assert.match(empty, /Open a <code>\.synth\.py<\/code> script/);
  assert.match(renderGridPage({ scriptName: "a.synth.py", run: undefined }, env), /Waiting for the first run/);
});

test("a whole run result from the server becomes a summary and one section per pair", () => {
  const run = parseRunResult({
    uri: "file:///w/a.synth.py",
    version: 3,
    trainPassed: 1,
    trainTotal: 2,
    trainReward: 0.5,
    testPassed: 0,
    testTotal: 1,
    durationMs: 12.5,
    error: null,
    pairs: [
      { split: "train", index: 0, passed: true, input: [[1]], expected: [[1]], actual: [[1]], diffCells: [], error: null },
      { split: "train", index: 1, passed: false, input: [[2]], expected: [[2]], actual: [[3]], diffCells: [[0, 0]], error: null },
      { split: "test", index: 0, passed: false, input: [[2]], expected: [[4]], actual: null, diffCells: [], error: "boom" },
    ],
  })!;
  const html = renderGridPage({ scriptName: "a<b>.synth.py", run }, env);
  assert.match(html, /<h2>a&lt;b&gt;\.synth\.py<\/h2>/);
  assert.match(html, /train 1\/2 · reward 0\.50 · test 0\/1 · 13 ms/);
  assert.equal(count(html, /<section class="pair/g), 3);
  assert.match(html, /data-split="test" data-index="0"/);
  assert.match(html, /no output/);
});

test("a stopped server is said instead of waiting for a run that will not come", () => {
  const html = renderGridPage({ scriptName: "a.synth.py", run: undefined, serverDown: "the server <stopped>" }, env);
  assert.match(html, /class="error server-down">the server &lt;stopped&gt;/);
  assert.doesNotMatch(html, /Waiting for the first run/);
});

test("a run that could not happen shows its reason instead of grids", () => {
  const run = parseRunResult({ uri: "file:///w/a.synth.py", error: "a.json: line 3: not JSON", pairs: [] })!;
  const html = renderGridPage({ scriptName: "a.synth.py", run }, env);
  assert.match(html, /class="error run-error">a\.json: line 3: not JSON/);
  assert.equal(count(html, /<section/g), 0);
});

test("escapeHtml covers quotes", () => {
  assert.equal(escapeHtml(`"'<>&`), "&quot;&#39;&lt;&gt;&amp;");
});
