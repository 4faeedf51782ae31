// API keys kept in VS Code's SecretStorage (the OS keychain where there is one), never in settings.
import type * as vscode from "vscode";
import { isValidVariableName } from "./apiKeys";

const NAMES_KEY = "synthLsp.apiKeyNames";
const keyFor = (name: string) => `synthLsp.apiKey.${name}`;

export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async names(): Promise<string[]> {
    const raw = await this.secrets.get(NAMES_KEY);
    try {
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(parsed) ? parsed.filter((n): n is string => typeof n === "string" && isValidVariableName(n)) : [];
    } catch {
      return [];
    }
  }

  async store(name: string, value: string): Promise<void> {
    await this.secrets.store(keyFor(name), value);
    const names = new Set(await this.names());
    names.add(name);
    await this.secrets.store(NAMES_KEY, JSON.stringify([...names].sort()));
  }

  async forget(name: string): Promise<void> {
    await this.secrets.delete(keyFor(name));
    const names = (await this.names()).filter((n) => n !== name);
    await this.secrets.store(NAMES_KEY, JSON.stringify(names));
  }

  /** Every stored key by variable name, for the server's environment. */
  async all(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const name of await this.names()) {
      const value = await this.secrets.get(keyFor(name));
      if (value) out[name] = value;
    }
    return out;
  }
}
