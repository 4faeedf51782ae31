// API keys for model providers: never settings, only environment variables of the server process.
// Pure: the SecretStorage side is apiKeyStore.ts.

/** Provider variables litellm reads, offered first when storing a key. */
export const KNOWN_KEY_VARIABLES = [
  "OPENAI_API_KEY",
  "ANTHROPIC_API_KEY",
  "GEMINI_API_KEY",
  "MISTRAL_API_KEY",
  "GROQ_API_KEY",
  "DEEPSEEK_API_KEY",
  "OPENROUTER_API_KEY",
] as const;

export function isValidVariableName(name: string): boolean {
  return /^[A-Z_][A-Z0-9_]*$/.test(name);
}

/** Problem with a key as typed, or null when it can be stored. */
export function keyProblem(value: string): string | null {
  if (value.length === 0) return "The key is empty.";
  if (/\s/.test(value)) return "The key contains white space; paste only the key itself.";
  return null;
}

/**
 * The server's environment: VS Code's own, plus the keys stored in secret storage. A stored key
 * wins over an inherited variable of the same name, since storing it was an explicit choice.
 */
export function serverEnvironment(
  base: Record<string, string | undefined>,
  stored: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  for (const [k, v] of Object.entries(stored)) if (isValidVariableName(k) && v) env[k] = v;
  // Python must not buffer or pick up a stray PYTHONSTARTUP that could print to the protocol channel
  env.PYTHONUNBUFFERED = "1";
  delete env.PYTHONSTARTUP;
  return env;
}
