import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { advice, declaresInputs, provideStub, STUB_NAME, STUB_TEXT } from "../builtinsStub";

async function folder(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), "synth-stub-"));
}

test("the stub is written once into a folder without one, and declares inputs", async () => {
  const dir = await folder();
  const first = await provideStub(dir);
  assert.equal(first.outcome, "written");
  assert.equal(await fs.readFile(path.join(dir, STUB_NAME), "utf8"), STUB_TEXT);
  assert.ok(declaresInputs(STUB_TEXT));
  assert.equal((await provideStub(dir)).outcome, "present");
  assert.deepEqual(await fs.readdir(dir), [STUB_NAME]); // nothing left aside
});

test("a user's own file is never overwritten; without the declaration it gets advice", async () => {
  const dir = await folder();
  const own = "# mine\ndef helper() -> int: ...\n";
  await fs.writeFile(path.join(dir, STUB_NAME), own);
  const result = await provideStub(dir);
  assert.equal(result.outcome, "lacks-inputs");
  assert.equal(await fs.readFile(path.join(dir, STUB_NAME), "utf8"), own);
  assert.match(advice(result.file), /does not declare `inputs`; add the line `inputs: dict\[str, Any\]`/);
  assert.ok(!declaresInputs("# inputs: dict\n"));
});

test("a folder that cannot be written, or a dangling link, is reported, not thrown", async () => {
  const dir = await folder();
  assert.equal((await provideStub(path.join(dir, "missing"))).outcome, "failed");
  await fs.symlink(path.join(dir, "nowhere.pyi"), path.join(dir, STUB_NAME));
  assert.equal((await provideStub(dir)).outcome, "failed");
  await assert.rejects(fs.stat(path.join(dir, "nowhere.pyi")));  // nothing written through the link
});
