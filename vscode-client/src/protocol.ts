// The server's extensions to LSP, as docs/protocol.md defines them, and checks that turn the
// untyped JSON of a notification into these types (a malformed message is dropped, not trusted).

export type Grid = number[][];

export interface PairResult {
  split: "train" | "test";
  index: number;
  passed: boolean | null; // null: the expected output is unknown (unpublished test pair)
  input: Grid | null;
  expected: Grid | null;
  actual: Grid | null;
  diffCells: [number, number][];
  error: string | null;
  stdout: string; // what the script printed in this pair's run
  stderr: string;
  expectedJson?: unknown;
  actualJson?: unknown;
  inputJson?: unknown;
}

export interface RunResult {
  uri: string;
  version: number | null;
  trainPassed: number;
  trainTotal: number;
  trainReward: number;
  testPassed: number;
  testTotal: number;
  durationMs: number;
  error: string | null;
  pairs: PairResult[];
}

// crashed: the worker died (restartable); failed: it said why it cannot run (settings, examples, key)
export type EvolutionState = "idle" | "queued" | "running" | "stopped" | "finished" | "crashed" | "failed";

export interface EvolutionStatus {
  uri: string;
  state: EvolutionState;
  generation: number;
  generations: number;
  bestReward: number | null;
  bestTrainPassed: number | null;
  trainTotal: number | null;
  calls: number;
  tokens: number;
  costUsd: number;
  message: string;
}

export interface Candidate {
  id: string | number; // passed back to the server exactly as it came
  origin: string;
  generation: number;
  trainPassed: number;
  trainTotal: number;
  trainReward: number;
  testPassed: number | null;
  testTotal: number | null;
  script: string;
  diff: string;
  beatsCurrent: boolean;
  current: boolean; // scored on the script's current examples (false: on an older version of them)
  note: string;
}

export interface ApplyOutcome {
  applied: boolean;
  message: string;
}

export const RUN_RESULT_NOTIFICATION = "synthLsp/runResult";
export const EVOLUTION_STATUS_NOTIFICATION = "synthLsp/evolutionStatus";

/** Server commands (workspace/executeCommand); the extension's palette commands wrap them. */
export const ServerCommand = {
  rerun: "synthLsp.rerun",
  evolveStart: "synthLsp.evolve.start",
  evolveStop: "synthLsp.evolve.stop",
  population: "synthLsp.population",
  applyCandidate: "synthLsp.applyCandidate",
  applyBest: "synthLsp.applyBest",
} as const;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function num(v: unknown, fallback = 0): number {
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

function numOrNull(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function str(v: unknown, fallback = ""): string {
  return typeof v === "string" ? v : fallback;
}

function strOrNull(v: unknown): string | null {
  return typeof v === "string" && v.length > 0 ? v : null;
}

/** A grid is a non-empty list of equal-length rows of integers; anything else is not drawn as one. */
export function asGrid(v: unknown): Grid | null {
  if (!Array.isArray(v) || v.length === 0) return null;
  const width = Array.isArray(v[0]) ? v[0].length : -1;
  for (const row of v) {
    if (!Array.isArray(row) || row.length !== width) return null;
    for (const cell of row) if (typeof cell !== "number" || !Number.isInteger(cell)) return null;
  }
  return v as Grid;
}

function asCells(v: unknown): [number, number][] {
  if (!Array.isArray(v)) return [];
  return v.filter(
    (c): c is [number, number] =>
      Array.isArray(c) && c.length === 2 && Number.isInteger(c[0]) && Number.isInteger(c[1]),
  );
}

function parsePair(v: unknown, position: number): PairResult | null {
  if (!isObject(v)) return null;
  const split = v.split === "test" ? "test" : v.split === "train" ? "train" : null;
  if (split === null) return null;
  return {
    split,
    index: Number.isInteger(v.index) ? (v.index as number) : position,
    // an unscored pair (unpublished answer) is neither passed nor failed
    passed: v.scored === false ? null : typeof v.passed === "boolean" ? v.passed : null,
    input: asGrid(v.input),
    expected: asGrid(v.expected),
    actual: asGrid(v.actual),
    diffCells: asCells(v.diffCells),
    error: strOrNull(v.error),
    stdout: str(v.stdout),
    stderr: str(v.stderr),
    expectedJson: v.expectedJson,
    actualJson: v.actualJson,
    inputJson: v.inputJson,
  };
}

export function parseRunResult(v: unknown): RunResult | null {
  if (!isObject(v) || typeof v.uri !== "string") return null;
  const pairs = Array.isArray(v.pairs) ? v.pairs : [];
  return {
    uri: v.uri,
    version: numOrNull(v.version),
    trainPassed: num(v.trainPassed),
    trainTotal: num(v.trainTotal),
    trainReward: num(v.trainReward),
    testPassed: num(v.testPassed),
    testTotal: num(v.testTotal),
    durationMs: num(v.durationMs),
    error: strOrNull(v.error),
    pairs: pairs.map(parsePair).filter((p): p is PairResult => p !== null),
  };
}

const STATES: readonly EvolutionState[] = ["idle", "queued", "running", "stopped", "finished", "crashed", "failed"];

export function parseEvolutionStatus(v: unknown): EvolutionStatus | null {
  if (!isObject(v) || typeof v.uri !== "string") return null;
  const state = STATES.find((s) => s === v.state);
  if (state === undefined) return null;
  return {
    uri: v.uri,
    state,
    generation: num(v.generation),
    generations: num(v.generations),
    bestReward: numOrNull(v.bestReward),
    bestTrainPassed: numOrNull(v.bestTrainPassed),
    trainTotal: numOrNull(v.trainTotal),
    calls: num(v.calls),
    tokens: num(v.tokens),
    costUsd: num(v.costUsd),
    message: str(v.message),
  };
}

export function parseCandidates(v: unknown): Candidate[] {
  if (!Array.isArray(v)) return [];
  const out: Candidate[] = [];
  for (const c of v) {
    if (!isObject(c) || (typeof c.id !== "string" && typeof c.id !== "number") || typeof c.script !== "string") continue;
    out.push({
      id: c.id as string | number,
      origin: str(c.origin, "?"),
      generation: num(c.generation),
      trainPassed: num(c.trainPassed),
      trainTotal: num(c.trainTotal),
      trainReward: num(c.trainReward),
      testPassed: numOrNull(c.testPassed),
      testTotal: numOrNull(c.testTotal),
      script: c.script,
      diff: str(c.diff),
      beatsCurrent: c.beatsCurrent === true,
      current: c.current !== false,
      note: str(c.note),
    });
  }
  return out;
}

export function parseApplyOutcome(v: unknown): ApplyOutcome {
  if (!isObject(v)) return { applied: false, message: "the server gave no answer" };
  return { applied: v.applied === true, message: str(v.message) };
}
