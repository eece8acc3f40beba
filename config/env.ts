/** Readers for environment variables that fail loudly on a bad value instead of guessing. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

export function str(env: Env, name: string, fallback?: string): string {
  const raw = env[name];
  if (raw !== undefined && raw !== '') return raw;
  if (fallback !== undefined) return fallback;
  throw new ConfigError(`Missing required environment variable ${name}`);
}

export function int(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

export function url(env: Env, name: string, fallback?: string): string {
  const value = str(env, name, fallback);
  try {
    new URL(value);
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${value}"`);
  }
  return value.replace(/\/+$/, '');
}

export function hostPort(env: Env, name: string, fallback: string): string {
  const value = str(env, name, fallback);
  if (!/^[^\s:/]+:\d{1,5}$/.test(value)) throw new ConfigError(`${name} must be host:port, got "${value}"`);
  return value;
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = str(env, name, fallback);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

export function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

/** `*`, or a comma-separated list of origins (`https://app.example,http://localhost:3000`). */
export function origins(env: Env, name: string, fallback: string): readonly string[] | '*' {
  const value = str(env, name, fallback).trim();
  if (value === '*') return '*';
  const list = value
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of list) {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new ConfigError(`${name} must be * or a comma-separated list of origins, got "${origin}"`);
    }
    if (parsed.origin !== origin.replace(/\/+$/, '')) {
      throw new ConfigError(`${name}: "${origin}" is not an origin (scheme://host[:port], no path)`);
    }
  }
  return Object.freeze(list.map((o) => o.replace(/\/+$/, '')));
}
