// Drives the Synth LSP extension inside code-server with Playwright and Debian's Chromium.
// Usage: node e2e-driver.mjs CONFIG.json   (written by tests/test_vscode_e2e.py)
// Writes a JSON report (one entry per step, with screenshots) to config.reportPath; exit code 0
// only when every step passed. Logs progress on stderr.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const WAIT_RUN = config.runTimeoutMs ?? 120_000; // first run includes server start and sandbox warm-up
const WAIT_UI = 30_000;
const steps = [];
let shot = 0;
mkdirSync(config.artifactsDir, { recursive: true });

const log = (msg) => process.stderr.write(`[e2e ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Monaco renders spaces as U+00A0
const norm = (s) => (s ?? "").replace(/\u00a0/g, " ");

async function screenshot(page, name) {
  shot += 1;
  const file = join(config.artifactsDir, `${String(shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file }).catch((e) => log(`screenshot ${name} failed: ${e.message}`));
  return file;
}

/** Polls `probe` until it returns a truthy value, or fails with `what` and the last value seen. */
async function until(what, probe, timeoutMs = WAIT_UI, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = `error: ${e.message.split("\n")[0]}`;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what} (last seen: ${JSON.stringify(last)})`);
    await sleep(everyMs);
  }
}

async function step(page, name, fn, { critical = true } = {}) {
  const started = Date.now();
  log(`step ${name}`);
  const entry = { name, ok: false, detail: null, error: null, screenshot: null, seconds: 0 };
  steps.push(entry);
  try {
    entry.detail = (await fn()) ?? null;
    entry.ok = true;
  } catch (e) {
    entry.error = e.message;
    log(`step ${name} FAILED: ${e.message}`);
  }
  entry.seconds = (Date.now() - started) / 1000;
  entry.screenshot = await screenshot(page, name);
  if (!entry.ok && critical) throw new Error(`critical step ${name} failed`);
  return entry.detail;
}

// ---- workbench helpers ---------------------------------------------------------------------

async function runCommand(page, title) {
  await page.keyboard.press("Escape");
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: WAIT_UI });
  await input.fill(`>${title}`);
  const row = page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first();
  await row.waitFor({ state: "visible", timeout: WAIT_UI });
  await input.press("Enter");
}

async function openFile(page, name) {
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible", timeout: WAIT_UI });
  await input.fill(name);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: name }).first().waitFor({ timeout: WAIT_UI });
  await input.press("Enter");
  await page.locator(".tabs-container .tab", { hasText: name }).first().waitFor({ timeout: WAIT_UI });
}

const editor = (page) => page.locator(".editor-group-container.active .monaco-editor").first();
const editorText = async (page) => norm(await editor(page).locator(".view-lines").innerText());
const squiggles = (page) => editor(page).locator(".squiggly-error, .squiggly-warning");
const statusItem = (page) => page.locator('.statusbar [aria-label^="Synth LSP:"]').first();
const statusText = async (page) => {
  const item = statusItem(page);
  return (await item.count()) ? norm(await item.innerText()).trim() : "";
};
const toasts = (page, text) => page.locator(".notifications-toasts .notification-toast", { hasText: text });

/** Notifications with `text`, read from the notification center (Escape hides toasts, not these). */
async function centerNotifications(page, text, timeoutMs = WAIT_UI) {
  await runCommand(page, "Notifications: Show Notifications");
  const items = page.locator(".notifications-center .notification-list-item", { hasText: text });
  await until(`a notification saying "${text}"`, async () => (await items.count()) > 0, timeoutMs);
  await sleep(4000); // long enough for a restart loop to show itself as more notifications
  const texts = (await items.allInnerTexts()).map(norm);
  await page.keyboard.press("Escape");
  return texts;
}

async function clearNotifications(page) {
  await runCommand(page, "Notifications: Clear All Notifications").catch(() => undefined);
  await sleep(300);
}

async function openProblems(page) {
  const panel = page.locator(".markers-panel");
  if (!(await panel.isVisible().catch(() => false))) {
    await runCommand(page, "View: Focus Problems");
  }
  await panel.waitFor({ state: "visible", timeout: WAIT_UI });
  return panel;
}

const problemRows = async (page) => {
  const rows = page.locator(".markers-panel .monaco-list-row");
  return (await rows.allInnerTexts()).map(norm);
};

const gridFrame = (page) => page.frameLocator("iframe.webview.ready").frameLocator("iframe#active-frame");

async function gridSummary(page) {
  const frame = gridFrame(page);
  const sections = frame.locator("section.pair");
  const n = await sections.count();
  const pairs = [];
  for (let i = 0; i < n; i++) {
    const s = sections.nth(i);
    pairs.push({
      split: await s.getAttribute("data-split"),
      passed: await s.getAttribute("data-passed"),
      diffCount: Number(await s.getAttribute("data-diff-count")),
      markedCells: await s.locator("td.d").count(),
      cells: await s.locator("td").count(),
    });
  }
  const summary = norm(await frame.locator("p.summary").innerText().catch(() => ""));
  return { summary, pairs };
}

/** The synth-lsp server processes started under code-server (found through /proc). */
function serverPids() {
  const children = new Map();
  const cmdlines = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
      cmdlines.set(Number(entry), readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0"));
    } catch {
      // the process exited while we looked
    }
  }
  const found = [];
  const queue = [config.codeServerPid];
  while (queue.length) {
    const pid = queue.shift();
    for (const child of children.get(pid) ?? []) {
      const argv = cmdlines.get(child) ?? [];
      if (argv.includes("synth_lsp") && argv.includes("serve")) found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Replaces the script's text in its editor, as typed, and saves it. */
async function replaceScript(page, text) {
  await openFile(page, config.scriptName);
  await editor(page).locator(".view-lines").click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(text);
  const want = text.replace(/\s+/g, "");
  await until("the new text in the editor", async () => (await editorText(page)).replace(/\s+/g, "") === want);
  await saveScript(page);
}

async function saveScript(page) {
  await page.keyboard.press("Control+S");
  await until("the tab to show the file saved", async () => (await page.locator(".tab.dirty", { hasText: config.scriptName }).count()) === 0);
}

/** Opens the code action menu (Ctrl+.) and picks the first action whose title matches. */
async function applyCodeAction(page, title) {
  const row = page.locator(".action-widget .monaco-list-row", { hasText: title }).first();
  // Ctrl+. sometimes opens nothing (notes: 1 in 4 right after a save): retry
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+.");
    if (await row.waitFor({ state: "visible", timeout: 5000 }).then(() => true, () => false)) break;
    if (attempt === 6) throw new Error(`no code action "${title}" after ${attempt} tries of Ctrl+.`);
  }
  const label = norm(await row.innerText());
  await row.click();
  await confirmRefactorPreview(page);
  return label;
}

/** An edit that needs confirmation opens the refactor preview: apply it there. */
async function confirmRefactorPreview(page) {
  const apply = page.locator(".refactor-preview .monaco-button, .pane-body .monaco-button", { hasText: /^Apply$/ }).first();
  if (await apply.waitFor({ state: "visible", timeout: 3000 }).then(() => true, () => false)) await apply.click();
}

/** Files under `roots` whose text contains `needle` (settings, logs, anything the editor wrote). */
function filesContaining(roots, needle) {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        try {
          if (readFileSync(path).includes(needle)) found.push(path);
        } catch {
          // unreadable or vanished: not written by us
        }
      }
    }
  };
  roots.forEach(walk);
  return found;
}

/** Writes the workspace's .vscode/settings.json, as a user or a tool editing it on disk would. */
function setWorkspaceSettings(settings) {
  const dir = join(config.workspace, ".vscode");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "settings.json"), JSON.stringify(settings, null, 2));
}

// ---- the scenario ----------------------------------------------------------------------------

async function scenario(page) {
  const script = config.scriptName;

  await step(page, "workbench", async () => {
    await page.goto(`${config.url}/?folder=${encodeURIComponent(config.workspace)}`, { waitUntil: "domcontentloaded" });
    await page.locator(".monaco-workbench").waitFor({ timeout: 90_000 });
    await page.locator(".explorer-folders-view, .explorer-viewlet").first().waitFor({ timeout: 60_000 }).catch(() => undefined);
    return "workbench loaded";
  });

  await step(page, "open-script", async () => {
    await openFile(page, script);
    await until("the script's text in the editor", async () => (await editorText(page)).includes("result"));
    return await editorText(page);
  });

  await step(page, "squiggle", async () => {
    const n = await until("an error squiggle in the script", async () => squiggles(page).count(), WAIT_RUN);
    return { squiggles: n };
  });

  await step(page, "status-bar-reward", async () => {
    const text = await until("the reward in the status bar", async () => {
      const t = await statusText(page);
      return /train \d+\/\d+ \(\d\.\d\d\)/.test(t) ? t : false;
    }, WAIT_RUN);
    return { text };
  });

  await step(page, "problems", async () => {
    await openProblems(page);
    const rows = await until("a Problems entry", async () => {
      const r = await problemRows(page);
      return r.some((t) => /synth-lsp|pair/i.test(t)) ? r : false;
    });
    return { rows };
  });

  await step(page, "grid-view", async () => {
    await runCommand(page, "Synth LSP: Show Grids");
    const summary = await until("grids in the grid view", async () => {
      const s = await gridSummary(page);
      return s.pairs.length > 0 ? s : false;
    }, WAIT_UI * 2);
    return summary;
  });

  await step(page, "fix-and-save", async () => {
    await replaceScript(page, config.fixedScript);
    return "saved";
  });

  await step(page, "diagnostics-clear", async () => {
    await until("the squiggles to clear", async () => (await squiggles(page).count()) === 0, WAIT_RUN);
    await openProblems(page);
    await until("the Problems panel to empty", async () => (await problemRows(page)).filter((t) => /synth-lsp|pair/i.test(t)).length === 0);
    return { problems: await problemRows(page) };
  });

  await step(page, "status-bar-full-reward", async () => {
    const text = await until("the full reward in the status bar", async () => {
      const t = await statusText(page);
      return /train (\d+)\/\1 \(1\.00\)/.test(t) ? t : false;
    }, WAIT_RUN);
    return { text };
  });

  await step(page, "grid-view-updated", async () => {
    await runCommand(page, "Synth LSP: Show Grids");
    return await until("every grid pair to pass", async () => {
      const s = await gridSummary(page);
      return s.pairs.length > 0 && s.pairs.every((p) => p.passed === "true" || p.passed === "null") ? s : false;
    });
  });

  // ---- bad paths -----------------------------------------------------------------------------
  await step(page, "server-dies", async () => {
    await openFile(page, script);
    const pids = await until("the server process", async () => (serverPids().length ? serverPids() : false));
    for (const pid of pids) process.kill(pid, "SIGKILL");
    const toast = toasts(page, "stopped unexpectedly");
    await toast.first().waitFor({ timeout: WAIT_UI });
    const text = await until("the status bar to say the server stopped", async () => {
      const t = await statusText(page);
      return /server stopped/.test(t) ? t : false;
    });
    // the grid view says so too, instead of waiting for a run
    const gridDown = norm(await gridFrame(page).locator("pre.server-down").innerText({ timeout: WAIT_UI }));
    return { killed: pids, status: text, toast: norm(await toast.first().innerText()), gridDown };
  }, { critical: false });

  await step(page, "restart-offered", async () => {
    await toasts(page, "stopped unexpectedly").first().locator(".monaco-button", { hasText: "Restart Server" }).click();
    const text = await until("the reward back in the status bar", async () => {
      const t = await statusText(page);
      return /train \d+\/\d+/.test(t) ? t : false;
    }, WAIT_RUN);
    const grids = await until("the grids back after the restart", async () => {
      const g = await gridSummary(page);
      return g.pairs.length > 0 ? g : false;
    }, WAIT_RUN);
    return { status: text, servers: serverPids().length, gridPairs: grids.pairs.length };
  }, { critical: false });

  await clearNotifications(page);

  await step(page, "interpreter-missing", async () => {
    setWorkspaceSettings({ "synthLsp.interpreter": config.missingInterpreter });
    const found = await centerNotifications(page, "was not found");
    return {
      toast: found[0],
      toasts: found.length,
      servers: serverPids().length,
      status: await statusText(page),
    };
  }, { critical: false });

  await clearNotifications(page);

  await step(page, "interpreter-lacks-synth-lsp", async () => {
    setWorkspaceSettings({ "synthLsp.interpreter": config.bareInterpreter });
    const found = await centerNotifications(page, "lacks the synth_lsp package");
    return {
      toast: found[0],
      toasts: found.length,
      servers: serverPids().length,
      status: await statusText(page),
    };
  }, { critical: false });

  await clearNotifications(page);

  await step(page, "interpreter-restored", async () => {
    setWorkspaceSettings({});
    const text = await until("the reward back after restoring the interpreter", async () => {
      const t = await statusText(page);
      return /train (\d+)\/\1 \(1\.00\)/.test(t) ? t : false;
    }, WAIT_RUN);
    return { status: text, servers: serverPids().length };
  }, { critical: false });

  // ---- evolution: an evolved rewrite, applied as a code action --------------------------------
  await step(page, "break-again", async () => {
    await replaceScript(page, config.mismatchScript);
    await until("the squiggles to return", async () => (await squiggles(page).count()) > 0, WAIT_RUN);
    return { status: await until("the reward to drop", async () => {
      const t = await statusText(page);
      return /train 0\/\d+ \(0\.00\)/.test(t) ? t : false;
    }, WAIT_RUN) };
  });

  await step(page, "evolve-from-status-bar", async () => {
    await statusItem(page).click(); // a click starts evolution
    const seen = new Set();
    const done = await until("evolution to finish with the full reward", async () => {
      const t = await statusText(page);
      seen.add(t);
      return /evolved best 1\.00/.test(t) ? t : false;
    }, config.evolveTimeoutMs ?? 240_000);
    return { status: done, seen: [...seen] };
  });

  await step(page, "browse-population", async () => {
    await runCommand(page, "Synth LSP: Browse Population");
    const rows = page.locator(".quick-input-list .monaco-list-row", { hasText: /train \d+\/\d+/ });
    await until("candidates in the quick pick", async () => (await rows.count()) > 0);
    const items = (await rows.allInnerTexts()).map(norm);
    // the highlighted candidate is previewed as a diff beside the script
    const diffTab = page.locator(".tabs-container .tab", { hasText: "↔ candidate" });
    await diffTab.first().waitFor({ timeout: WAIT_UI });
    const preview = norm(await diffTab.first().innerText());
    await screenshot(page, "population-preview");
    await page.keyboard.press("Escape");
    await until("the diff preview to close with the quick pick", async () => (await diffTab.count()) === 0);
    return { items, preview };
  });

  await step(page, "apply-evolved-rewrite", async () => {
    await openFile(page, script);
    await editor(page).locator(".view-lines").click();
    const action = await applyCodeAction(page, "Apply evolved script");
    await until("the evolved script in the editor", async () => !(await editorText(page)).includes("grid[r % n][c % n]"));
    await saveScript(page);
    return { action, text: await editorText(page) };
  });

  await step(page, "evolved-script-passes", async () => {
    await until("the squiggles to clear", async () => (await squiggles(page).count()) === 0, WAIT_RUN);
    const text = await until("the full reward in the status bar", async () => {
      const t = await statusText(page);
      return /train (\d+)\/\1 \(1\.00\)/.test(t) ? t : false;
    }, WAIT_RUN);
    return { status: text };
  });

  // ---- a setting reaches the running server: runTrigger "change" runs unsaved text ----------
  await step(page, "setting-reaches-server", async () => {
    const pids = serverPids();
    setWorkspaceSettings({ "synthLsp.runTrigger": "change" });
    await sleep(1500); // the configuration change has to arrive before the edit
    await openFile(page, script);
    await editor(page).locator(".view-lines").click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(config.mismatchScript);
    const text = await until("a run of the unsaved text", async () => {
      const t = await statusText(page);
      return /train 0\/\d+ \(0\.00\)/.test(t) ? t : false;
    }, WAIT_RUN);
    const dirty = await page.locator(".tab.dirty", { hasText: script }).count();
    return { status: text, dirty, sameServer: JSON.stringify(serverPids()) === JSON.stringify(pids) };
  }, { critical: false });

  // ---- an API key from secret storage reaches the server as an environment variable only ----
  await step(page, "api-key-to-server-env", async () => {
    const key = `sk-e2e-${Math.random().toString(36).slice(2)}${Date.now()}`;
    const before = serverPids();
    await runCommand(page, "Synth LSP: Store API Key in Secret Storage");
    const input = page.locator(".quick-input-widget input");
    await page.locator(".quick-input-list .monaco-list-row", { hasText: "OPENAI_API_KEY" }).first().waitFor({ timeout: WAIT_UI });
    await input.fill("OPENAI_API_KEY");
    await input.press("Enter");
    const password = page.locator('.quick-input-widget input[type="password"]');
    await password.waitFor({ state: "visible", timeout: WAIT_UI });
    await password.fill(key);
    await password.press("Enter");
    await toasts(page, "secret storage").first().locator(".monaco-button", { hasText: "Restart Server Now" }).click();
    const after = await until("a new server process", async () => {
      const now = serverPids();
      return now.length === 1 && !before.includes(now[0]) ? now : false;
    }, WAIT_RUN);
    // the new server's first run (the server offers no candidate before it knows the score)
    await until("the restarted server's first run", async () => /train \d+\/\d+/.test(await statusText(page)), WAIT_RUN);
    const environ = readFileSync(`/proc/${after[0]}/environ`, "utf8").split("\0");
    const cmdline = readFileSync(`/proc/${after[0]}/cmdline`, "utf8");
    return {
      inEnvironment: environ.includes(`OPENAI_API_KEY=${key}`),
      inCommandLine: cmdline.includes(key),
      filesWithKey: filesContaining([config.workspace, config.userDataDir], key),
    };
  }, { critical: false });

  // ---- "Apply Best Candidate" from the palette (the text is still the unsaved mismatch) -------
  await step(page, "apply-best-command", async () => {
    await openFile(page, script);
    const before = await editorText(page);
    await runCommand(page, "Synth LSP: Apply Best Candidate");
    await confirmRefactorPreview(page);
    await until("the best candidate in the editor", async () => (await editorText(page)).includes("offline model"));
    const text = await until("the full reward for the unsaved text", async () => {
      const t = await statusText(page);
      return /train (\d+)\/\1 \(1\.00\)/.test(t) ? t : false;
    }, WAIT_RUN);
    await saveScript(page);
    return { status: text, wasMismatch: before.includes("grid[r % n][c % n]") };
  }, { critical: false });
}

// ---- the quick fix scenario (config.scenario === "quickFix"): "Fix with <model>" applied --------

async function quickFixScenario(page) {
  const script = config.scriptName;
  await step(page, "workbench", async () => {
    await page.goto(`${config.url}/?folder=${encodeURIComponent(config.workspace)}`, { waitUntil: "domcontentloaded" });
    await page.locator(".monaco-workbench").waitFor({ timeout: 90_000 });
    return "workbench loaded";
  });
  await step(page, "open-script", async () => {
    await openFile(page, script);
    await until("the script's text in the editor", async () => (await editorText(page)).includes("result"));
    await until("a squiggle", async () => (await squiggles(page).count()) > 0, WAIT_RUN);
    return { status: await until("the reward in the status bar", async () => ((t) => (t.includes("train") ? t : false))(await statusText(page)), WAIT_RUN) };
  });
  await step(page, "quick-fix-applied", async () => {
    // the cursor on the mismatch (the line that assigns result), then Ctrl+. and the fix
    await editor(page).locator(".view-line", { hasText: "result =" }).first().locator("span span").first().click();
    const title = config.quickFixTitle;
    const row = page.locator(".action-widget .monaco-list-row", { hasText: title }).first();
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press("Escape");
      await page.keyboard.press("Control+.");
      if (await row.waitFor({ state: "visible", timeout: 5000 }).then(() => true, () => false)) break;
      if (attempt === 6) throw new Error(`no code action "${title}" after ${attempt} tries of Ctrl+.`);
    }
    const action = norm(await row.innerText());
    const started = Date.now();
    await row.click();
    // the fix arrives as an edit that needs confirmation: VS Code previews the diff, we apply it
    const apply = page.locator(".refactor-preview .monaco-button, .pane-body .monaco-button", { hasText: /^Apply$/ }).first();
    await apply.waitFor({ state: "visible", timeout: WAIT_RUN });
    const seconds = (Date.now() - started) / 1000;
    const preview = norm(await page.locator(".refactor-preview, .pane-body").first().innerText().catch(() => ""));
    // VS Code lists a change that needs confirmation unticked: the user ticks it, then applies
    const unticked = page.locator('.refactor-preview [role="checkbox"][aria-checked="false"], .pane-body [role="checkbox"][aria-checked="false"]');
    const ticked = (await unticked.count()) > 0;
    if (ticked) await unticked.first().click();
    await screenshot(page, "quick-fix-preview");
    await apply.click();
    await until("the fixed script in the editor", async () => !(await editorText(page)).includes("grid[r % n][c % n]"));
    await saveScript(page);
    return { action, seconds, ticked, preview: preview.slice(0, 2000), text: await editorText(page) };
  });
  await step(page, "quick-fix-passes", async () => {
    await until("the squiggles to clear", async () => (await squiggles(page).count()) === 0, WAIT_RUN);
    const status = await until("the full reward in the status bar", async () => {
      const t = await statusText(page);
      return /train (\d+)\/\1 \(1\.00\)/.test(t) ? t : false;
    }, WAIT_RUN);
    return { status };
  });
}

// ---- inline values (config.scenario === "values"): hints in the editor, a hover with a grid ----

const lensTitles = async (page) => (await editor(page).locator(".codelens-decoration a").allInnerTexts()).map(norm);

/** Hovers the first token `word` on the editor line that contains `lineText`; the hover's text. */
async function hoverWord(page, lineText, word) {
  const line = editor(page).locator(".view-line", { hasText: lineText }).first();
  // the word's own box: Monaco merges tokens of one colour into one span
  const box = await line.evaluate((el, w) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const m = new RegExp(`\\b${w}\\b`).exec(n.textContent.replace(/\u00a0/g, " "));
      if (!m) continue;
      const range = document.createRange();
      range.setStart(n, m.index);
      range.setEnd(n, m.index + w.length);
      const b = range.getBoundingClientRect();
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    }
    return null;
  }, word);
  if (!box) throw new Error(`no "${word}" on the line with "${lineText}"`);
  const hover = page.locator(".monaco-hover:not(.hidden)", { hasText: "on train pair" }).first();
  for (let attempt = 1; ; attempt++) {
    await page.mouse.move(0, 0);
    await page.mouse.move(box.x, box.y);
    if (await hover.waitFor({ state: "visible", timeout: 5000 }).then(() => true, () => false)) break;
    if (attempt === 5) throw new Error(`no values hover on "${word}" after ${attempt} tries`);
  }
  return norm(await hover.innerText());
}

async function valuesScenario(page) {
  await step(page, "workbench", async () => {
    await page.goto(`${config.url}/?folder=${encodeURIComponent(config.workspace)}`, { waitUntil: "domcontentloaded" });
    await page.locator(".monaco-workbench").waitFor({ timeout: 90_000 });
    return "workbench loaded";
  });
  await step(page, "open-script", async () => {
    await openFile(page, config.scriptName);
    await until("the script's text in the editor", async () => (await editorText(page)).includes("result"));
  });
  await step(page, "inlay-hints", async () => {
    // inlay hints are text the editor injects into the line it belongs to
    const text = await until("inline values in the editor", async () => {
      const t = await editorText(page);
      return t.includes(config.expectHint) ? t : false;
    }, WAIT_RUN);
    return { lines: text.split("\n") };
  });
  await step(page, "values-lens", async () => {
    const titles = await until("the values lens row", async () => {
      const t = await lensTitles(page);
      return t.some((x) => x.startsWith("values on:")) ? t : false;
    });
    return { titles };
  });
  await step(page, "value-hover", async () => ({ text: await hoverWord(page, config.hoverLine, config.hoverWord) }));
  await step(page, "switch-pair", async () => {
    await page.keyboard.press("Escape");
    await editor(page).locator(".codelens-decoration a", { hasText: /^2$/ }).first().click();
    const titles = await until("the lens row to show pair 2", async () => {
      const t = await lensTitles(page);
      return t.includes("[2]") ? t : false;
    }, WAIT_RUN);
    const text = await hoverWord(page, config.hoverLine, config.hoverWord);
    return { titles, text };
  });
}

/** Runs `run(page)` (by default the scenario `config.scenario` names, else the main one) in a fresh
 * browser; another driver may import this module and pass its own scenario, reusing the helpers
 * exported below. */
export async function main(run = undefined) {
  const context = await chromium.launchPersistentContext(config.browserProfile, {
    executablePath: config.chromium,
    headless: true,
    viewport: { width: 1500, height: 950 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors = [];
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text().slice(0, 300));
  });
  let fatal = null;
  try {
    const scenarios = { quickFix: quickFixScenario, values: valuesScenario };
    await (run ?? scenarios[config.scenario] ?? scenario)(page);
  } catch (e) {
    fatal = e.message;
  } finally {
    writeFileSync(
      config.reportPath,
      JSON.stringify({ ok: fatal === null && steps.every((s) => s.ok), fatal, steps, consoleErrors: consoleErrors.slice(0, 50) }, null, 2),
    );
    await context.close().catch(() => undefined);
  }
  process.exit(fatal === null && steps.every((s) => s.ok) ? 0 : 1);
}

export { applyCodeAction, config, editor, editorText, log, norm, openFile, openProblems, problemRows, replaceScript, runCommand, saveScript, sleep, statusText, step, until, WAIT_RUN, WAIT_UI };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    log(`driver crashed: ${e.stack}`);
    process.exit(2);
  });
}
