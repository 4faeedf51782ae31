// The synthLsp settings the server reads (docs/protocol.md), built from VS Code's configuration.
// Pure: `get` is any getter over the `synthLsp` section.

export const SETTINGS_SECTION = "synthLsp";

/** Keys forwarded to the server. `interpreter` is the client's own: it chooses the process. */
export const SERVER_SETTING_KEYS = [
  "timeLimit",
  "memoryLimitMb",
  "runTrigger",
  "debounceMs",
  "model",
  "models",
  "editMode",
  "pricePerMtok",
  "useOffline",
  "embeddingModel",
  "apiBase",
  "populationSize",
  "generations",
  "patience",
  "budget",
  "autoEvolve",
  "maxEvolutionWorkers",
  "keepEvolvingWhenClosed",
  "examplesMaxMb",
  "inlineValues",
  "workspaceDiagnostics",
] as const;

export type ServerSettingKey = (typeof SERVER_SETTING_KEYS)[number];
export type ServerSettings = Partial<Record<ServerSettingKey, unknown>>;

/** Names that look like credentials never go to the server as settings, whatever the user wrote. */
const SECRET_LIKE = /(api[_-]?key|token|secret|password)/i;

export function serverSettings(get: (key: string) => unknown): ServerSettings {
  const out: ServerSettings = {};
  for (const key of SERVER_SETTING_KEYS) {
    const value = get(key);
    if (value !== undefined) out[key] = key === "budget" ? withoutSecrets(value) : value;
  }
  return out;
}

function withoutSecrets(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !SECRET_LIKE.test(k)));
}

/** Whether a configuration change needs a new server process (rather than a settings update). */
export function needsRestart(affects: (section: string) => boolean): boolean {
  return affects(`${SETTINGS_SECTION}.interpreter`);
}
