// The end-to-end scenario of quiet diagnostics and of the examples files (issue 14, §2, §3, §5),
// run by tests/test_vscode_e2e.py with the helpers of e2e-driver.mjs:
// the Problems count of a failing script (one problem per failing pair and file), the
// `__builtins__.pyi` the extension provides, and, on the one-line examples file: the layout code
// action, its unsaved text reaching the server (the marks move to the rows), a hover on a mark.
// Usage: node e2e-diagnostics.mjs CONFIG.json
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  applyCodeAction,
  config,
  editor,
  editorText,
  log,
  main,
  norm,
  openFile,
  openProblems,
  problemRows,
  runCommand,
  saveScript,
  sleep,
  step,
  until,
  WAIT_RUN,
  WAIT_UI,
} from "./e2e-driver.mjs";

/** The Problems counts of the status bar: errors, warnings and infos (Hints are not counted). */
async function problemCounts(page) {
  const item = page.locator('[id="status.problems"]').first();
  const label = norm((await item.getAttribute("aria-label").catch(() => "")) ?? "");
  const text = norm(await item.innerText().catch(() => ""));
  const numbers = (label.match(/\d+/g) ?? text.match(/\d+/g) ?? []).map(Number);
  return { label, text, total: numbers.reduce((a, b) => a + b, 0) };
}

/** Opens `name` and waits until its tab is the active one (quick open may still list the last file). */
async function focusFile(page, name) {
  const active = page.locator(".editor-group-container.active .tab.active", { hasText: name });
  for (let attempt = 1; ; attempt++) {
    await openFile(page, name);
    if (await active.first().waitFor({ state: "visible", timeout: 3000 }).then(() => true, () => false)) return;
    if (attempt === 5) throw new Error(`${name} never became the active editor`);
    await sleep(500);
  }
}

async function scenario(page) {
  const script = config.scriptName;
  const examples = config.examplesName;

  await step(page, "workbench", async () => {
    await page.goto(`${config.url}/?folder=${encodeURIComponent(config.workspace)}`, { waitUntil: "domcontentloaded" });
    await page.locator(".monaco-workbench").waitFor({ timeout: 90_000 });
    return "workbench loaded";
  });

  await step(page, "open-script", async () => {
    await focusFile(page, script);
    await until("the script's text in the editor", async () => (await editorText(page)).includes("result"));
    return "opened";
  });

  await step(page, "builtins-stub", async () => {
    const file = join(config.workspace, "__builtins__.pyi");
    // it appears whole (linked into place once written), so it is never seen empty
    await until("__builtins__.pyi beside the script", async () => existsSync(file), WAIT_UI, 20);
    return { text: readFileSync(file, "utf8") };
  });

  await step(page, "problems-count", async () => {
    await openProblems(page);
    // the script's problems and the examples file's: wait until both are in, then let it settle
    await until("the problems of both files", async () => (await problemCounts(page)).total >= 2 * config.failingPairs, WAIT_RUN);
    await sleep(3000);
    const counts = await problemCounts(page);
    const rows = await problemRows(page);
    return { ...counts, rows };
  });

  await step(page, "examples-layout-action", async () => {
    await focusFile(page, examples);
    await until("the one-line examples file in the editor", async () => (await editorText(page)).includes("train"));
    await editor(page).locator(".view-lines").click();
    await page.keyboard.press("Control+Home");
    const action = await applyCodeAction(page, "Lay out the examples");
    const lines = await until("the laid-out examples in the editor", async () => {
      const n = await editor(page).locator(".view-line").count();
      return n > 5 ? n : false;
    });
    const dirty = await page.locator(".tab.dirty", { hasText: examples }).count();
    return { action, visibleLines: lines, dirty };
  });

  let where = null; // the examples file's first problem, as the Problems panel places it
  await step(page, "unsaved-examples-reach-server", async () => {
    // the script runs again on save, on the editor's unsaved examples: the marks move to the rows
    await focusFile(page, script);
    await saveScript(page);
    await focusFile(page, examples);
    await openProblems(page);
    const pattern = new RegExp(`${script.replace(/\./g, "\\.")}, train pair 1: .*\\[Ln (\\d+), Col (\\d+)\\]`, "s");
    where = await until("the examples file's problem on a grid row", async () => {
      for (const row of await problemRows(page)) {
        const found = row.match(pattern);
        if (found && Number(found[1]) > 1) return { line: Number(found[1]), column: Number(found[2]), row };
      }
      return false;
    }, WAIT_RUN);
    const dirty = await page.locator(".tab.dirty", { hasText: examples }).count();
    const tab = norm(await page.locator(".editor-group-container.active .tab.active").first().innerText());
    return { ...where, dirty, tab };
  });

  await step(page, "examples-hover", async () => {
    await focusFile(page, examples);
    // the server's hover draws the pair's grids (the marker's own hover only says the message)
    const hover = page.locator(".monaco-hover").filter({ hasText: "❌" });
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press("Escape");
      await page.keyboard.press("Control+G");
      await page.keyboard.insertText(`${where.line}:${where.column + 1}`);
      await page.keyboard.press("Enter");
      await page.keyboard.press("Control+K");
      await page.keyboard.press("Control+I"); // Show Hover, at the cursor
      if (await hover.first().waitFor({ state: "visible", timeout: 5000 }).then(() => true, () => false)) break;
      if (attempt === 5) throw new Error(`no grid hover on the examples mark (saw: ${norm(await page.locator(".monaco-hover").allInnerTexts().then((t) => t.join(" | ")).catch(() => ""))})`);
      await sleep(500);
    }
    const tab = norm(await page.locator(".editor-group-container.active .tab.active").first().innerText());
    return { text: norm(await hover.first().innerText()), tab };
  });

  await step(page, "problems-after", async () => {
    await runCommand(page, "View: Focus Problems").catch(() => undefined);
    await sleep(2000);
    return await problemCounts(page);
  });
  log("diagnostics scenario done");
}

main(scenario).catch((e) => {
  log(`driver crashed: ${e.stack}`);
  process.exit(2);
});
