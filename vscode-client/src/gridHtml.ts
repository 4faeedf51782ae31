// The grid view's page: every example pair as coloured ARC grids, the script's actual output
// beside the expected one, differing cells marked. Pure HTML (no scripts in the webview), so the
// page is unit tested and its content security policy can forbid scripts entirely.
import type { Grid, PairResult, RunResult } from "./protocol";

export const ARC_PALETTE = [
  "#000000",
  "#0074D9",
  "#FF4136",
  "#2ECC40",
  "#FFDC00",
  "#AAAAAA",
  "#F012BE",
  "#FF851B",
  "#7FDBFF",
  "#870C25",
] as const;

export interface GridPage {
  scriptName: string | null; // null: no synthesis script is active
  run: RunResult | undefined;
  serverDown?: string; // why the server is not running, when it is not
}

export interface PageEnv {
  nonce: string;
  cspSource: string;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const key = (r: number, c: number) => `${r},${c}`;

function cellClass(value: number): string {
  return Number.isInteger(value) && value >= 0 && value <= 9 ? `c${value}` : "cx";
}

const CELL = Array.from({ length: 10 }, (_, v) => `<td class="c${v}"></td>`);

/**
 * One grid as a table; `marked` holds the "row,col" keys of differing cells. Plain cells are
 * bare `<td class="cN">` (a 30x30 page holds ~14k of them: they must stay small); only marked
 * cells carry a title with their position and value.
 */
export function renderGrid(grid: Grid, marked: ReadonlySet<string>, label: string): string {
  const size = Math.max(grid.length, grid[0]?.length ?? 0) > 15 ? " small" : "";
  const parts: string[] = [`<table class="grid${size}" aria-label="${escapeHtml(label)}">`];
  for (let r = 0; r < grid.length; r++) {
    parts.push("<tr>");
    const row = grid[r];
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      if (marked.size > 0 && marked.has(key(r, c))) {
        parts.push(`<td class="${cellClass(v)} d" title="(${r}, ${c}) = ${v}, differs"></td>`);
      } else {
        parts.push(CELL[v] ?? `<td class="${cellClass(v)}"></td>`);
      }
    }
    parts.push("</tr>");
  }
  parts.push("</table>");
  return parts.join("");
}

function shape(grid: Grid): string {
  return `${grid.length}×${grid[0]?.length ?? 0}`;
}

function jsonBlock(value: unknown): string {
  const text = value === undefined ? "(none)" : JSON.stringify(value, null, 1);
  return `<pre class="json">${escapeHtml(text ?? "null")}</pre>`;
}

function figure(caption: string, body: string): string {
  return `<figure><figcaption>${escapeHtml(caption)}</figcaption>${body}</figure>`;
}

function verdict(pair: PairResult): { cls: string; text: string } {
  if (pair.passed === true) return { cls: "pass", text: "✓ matches" };
  if (pair.passed === null) return { cls: "unknown", text: "answer not published" };
  if (pair.error) return { cls: "fail", text: "✗ error" };
  if (pair.expected && pair.actual && shape(pair.expected) !== shape(pair.actual)) {
    return { cls: "fail", text: `✗ shape ${shape(pair.actual)}, expected ${shape(pair.expected)}` };
  }
  const n = pair.diffCells.length;
  return { cls: "fail", text: n > 0 ? `✗ ${n} cell${n === 1 ? "" : "s"} differ` : "✗ differs" };
}

export function renderPair(pair: PairResult): string {
  const marked = new Set(pair.diffCells.map(([r, c]) => key(r, c)));
  const none = new Set<string>();
  const v = verdict(pair);
  const title = `${pair.split} ${pair.index + 1}`;
  const figures: string[] = [];
  figures.push(figure("input", pair.input ? renderGrid(pair.input, none, `${title} input`) : jsonBlock(pair.inputJson)));
  if (pair.expected) figures.push(figure(`expected ${shape(pair.expected)}`, renderGrid(pair.expected, marked, `${title} expected`)));
  else if (pair.expectedJson !== undefined) figures.push(figure("expected", jsonBlock(pair.expectedJson)));
  if (pair.actual) {
    const mismatch = pair.expected && shape(pair.expected) !== shape(pair.actual) ? " (shape differs)" : "";
    figures.push(figure(`actual ${shape(pair.actual)}${mismatch}`, renderGrid(pair.actual, marked, `${title} actual`)));
  } else if (pair.actualJson !== undefined) {
    figures.push(figure("actual", jsonBlock(pair.actualJson)));
  } else {
    figures.push(figure("actual", `<p class="none">no output</p>`));
  }
  const error = pair.error ? `<pre class="error">${escapeHtml(pair.error)}</pre>` : "";
  const output = [
    pair.stdout ? `<details class="output"><summary>printed</summary><pre>${escapeHtml(pair.stdout)}</pre></details>` : "",
    pair.stderr ? `<details class="output"><summary>stderr</summary><pre>${escapeHtml(pair.stderr)}</pre></details>` : "",
  ].join("");
  return (
    `<section class="pair ${v.cls}" data-split="${pair.split}" data-index="${pair.index}" ` +
    `data-passed="${pair.passed}" data-diff-count="${pair.diffCells.length}">` +
    `<h3>${escapeHtml(title)} <span class="verdict">${escapeHtml(v.text)}</span></h3>` +
    `<div class="figures">${figures.join("")}</div>${error}${output}</section>`
  );
}

function summary(run: RunResult): string {
  const test = run.testTotal > 0 ? ` · test ${run.testPassed}/${run.testTotal}` : "";
  return (
    `<p class="summary" data-train-passed="${run.trainPassed}" data-train-total="${run.trainTotal}">` +
    `train ${run.trainPassed}/${run.trainTotal} · reward ${run.trainReward.toFixed(2)}${test} · ` +
    `${Math.round(run.durationMs)} ms</p>`
  );
}

function legend(): string {
  const swatches = ARC_PALETTE.map((_, i) => `<span class="swatch c${i}" title="colour ${i}">${i}</span>`).join("");
  return `<div class="legend">${swatches}<span class="swatch-label">differing cells are outlined</span></div>`;
}

function styles(nonce: string): string {
  const colours = ARC_PALETTE.map((hex, i) => `.c${i}{background:${hex}}`).join("");
  return `<style nonce="${nonce}">
body{font-family:var(--vscode-font-family);color:var(--vscode-foreground);padding:0 12px}
h2{font-size:1.1em;margin:10px 0 2px}h3{font-size:1em;margin:6px 0}
.summary{margin:0 0 8px;opacity:.9}
.pair{border-left:3px solid var(--vscode-panel-border,#555);padding:2px 0 6px 8px;margin:10px 0}
.pair.pass{border-color:#2ECC40}.pair.fail{border-color:#FF4136}
.verdict{font-weight:normal;opacity:.85}
.figures{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}
figure{margin:0}figcaption{font-size:.85em;opacity:.8;margin-bottom:2px}
table.grid{border-collapse:collapse;border:1px solid #777}
table.grid td{width:14px;height:14px;padding:0;border:1px solid #333;position:relative}
table.grid.small td{width:8px;height:8px}
table.grid td.d{box-shadow:inset 0 0 0 2px #ffffff,inset 0 0 0 3px #000000}
.cx{background:repeating-linear-gradient(45deg,#666,#666 2px,#999 2px,#999 4px)}
pre{white-space:pre-wrap;margin:4px 0}pre.error{color:var(--vscode-errorForeground,#f44)}
pre.json{max-width:40em;font-size:.85em}
details.output{margin:2px 0;font-size:.9em}details.output summary{cursor:pointer;opacity:.8}
.legend{display:flex;gap:2px;align-items:center;margin:4px 0 8px;font-size:.8em}
.swatch{display:inline-block;width:16px;height:16px;text-align:center;line-height:16px;color:#fff;text-shadow:0 0 2px #000}
.swatch-label{margin-left:8px;opacity:.8}
.notice{opacity:.85}
${colours}
</style>`;
}

export function renderGridPage(page: GridPage, env: PageEnv): string {
  const csp = `default-src 'none'; style-src ${env.cspSource} 'nonce-${env.nonce}'; img-src ${env.cspSource} data:;`;
  let body: string;
  if (page.scriptName === null) {
    body = `<p class="notice">Open a <code>.synth.py</code> script to see its examples as grids.</p>`;
  } else if (page.serverDown !== undefined) {
    body = `<h2>${escapeHtml(page.scriptName)}</h2><pre class="error server-down">${escapeHtml(page.serverDown)}</pre>`;
  } else if (!page.run) {
    body = `<h2>${escapeHtml(page.scriptName)}</h2><p class="notice">Waiting for the first run (save the script to run it).</p>`;
  } else if (page.run.error) {
    body = `<h2>${escapeHtml(page.scriptName)}</h2><pre class="error run-error">${escapeHtml(page.run.error)}</pre>`;
  } else {
    body = `<h2>${escapeHtml(page.scriptName)}</h2>${summary(page.run)}${legend()}${page.run.pairs.map(renderPair).join("")}`;
  }
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Synth grids</title>${styles(env.nonce)}</head><body>${body}</body></html>`;
}
