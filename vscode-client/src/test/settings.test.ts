import assert from "node:assert/strict";
import { test } from "node:test";
import { needsRestart, SERVER_SETTING_KEYS, serverSettings } from "../settings";
import { serverEnvironment } from "../apiKeys";
import { isValidVariableName, keyProblem } from "../apiKeys";

test("every documented server setting is forwarded, the interpreter is not", () => {
  const config: Record<string, unknown> = {
    interpreter: "/x/python",
    timeLimit: 3,
    memoryLimitMb: 128,
    runTrigger: "change",
    debounceMs: 100,
    model: "openai/gpt-x",
    models: ["openai/gpt-y"],
    editMode: "diff",
    pricePerMtok: [0.5, 1.5],
    useOffline: null,
    embeddingModel: "",
    apiBase: "http://127.0.0.1:9",
    populationSize: 4,
    generations: 2,
    patience: 1,
    budget: { maxCalls: 5 },
    autoEvolve: true,
    maxEvolutionWorkers: 1,
    keepEvolvingWhenClosed: true,
    examplesMaxMb: 4,
    inlineValues: { enabled: false },
    workspaceDiagnostics: true,
    builtinsStub: false,
  };
  const out = serverSettings((k) => config[k]);
  assert.deepEqual(Object.keys(out).sort(), [...SERVER_SETTING_KEYS].sort());
  assert.equal(out.timeLimit, 3);
  assert.equal(out.useOffline, null, "null (offline only without a model) is a value, not an absence");
  assert.deepEqual(out.budget, { maxCalls: 5 });
  assert.ok(!("interpreter" in out));
  assert.ok(!("builtinsStub" in out), "the extension's own: it writes the file");
});

test("a key-like entry slipped into the budget object never reaches the server", () => {
  const out = serverSettings((k) => (k === "budget" ? { maxCalls: 2, apiKey: "sk-secret", token: "t" } : undefined));
  assert.deepEqual(out, { budget: { maxCalls: 2 } });
});

test("only an interpreter change needs a new process", () => {
  assert.equal(needsRestart((s) => s === "synthLsp.interpreter"), true);
  assert.equal(needsRestart((s) => s === "synthLsp.timeLimit"), false);
});

test("stored keys reach the server environment, override inherited ones, and bad names are dropped", () => {
  const env = serverEnvironment(
    { PATH: "/bin", OPENAI_API_KEY: "from-env", PYTHONSTARTUP: "/tmp/s.py", UNSET: undefined },
    { OPENAI_API_KEY: "stored", ANTHROPIC_API_KEY: "a", "bad name": "x" },
  );
  assert.equal(env.PATH, "/bin");
  assert.equal(env.OPENAI_API_KEY, "stored");
  assert.equal(env.ANTHROPIC_API_KEY, "a");
  assert.ok(!("bad name" in env));
  assert.ok(!("UNSET" in env));
  assert.ok(!("PYTHONSTARTUP" in env), "a startup file could print onto the protocol channel");
});

test("variable names and keys are validated", () => {
  assert.ok(isValidVariableName("OPENAI_API_KEY"));
  assert.ok(!isValidVariableName("1KEY"));
  assert.ok(!isValidVariableName("key"));
  assert.equal(keyProblem("sk-123"), null);
  assert.match(keyProblem("")!, /empty/);
  assert.match(keyProblem("sk 123\n")!, /white space/);
});
