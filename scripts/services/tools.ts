import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The repository root: the nearest ancestor holding package.json and scripts/setup.sh. */
export function repoRoot(from: string = __dirname): string {
  // Walking up works both from scripts/services (ts-jest) and dist/scripts/services (tsc output),
  // and setup.sh tells the real root apart from a package.json copied into dist/.
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'scripts', 'setup.sh'))) {
      return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot find the repository root above ${from}`);
  }
}

/** A short project name for paths outside the repo, taken from package.json. */
export function projectName(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { name?: string };
  return (pkg.name ?? 'project').replace(/[^a-zA-Z0-9._-]/g, '-');
}

export class MissingToolError extends Error {
  override readonly name = 'MissingToolError';
}

function requireExecutable(file: string, what: string): string {
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    throw new MissingToolError(`${what} not found at ${file}. Run \`npm run setup\` (bash scripts/setup.sh) first.`);
  }
  return file;
}

export function toolsBinDir(): string {
  return path.join(repoRoot(), '.tools', 'bin');
}

/** The Temporal CLI built by setup.sh. */
export function temporalBin(): string {
  return requireExecutable(path.join(toolsBinDir(), 'temporal'), 'The Temporal CLI');
}

/** The MinIO server built by setup.sh. */
export function minioBin(): string {
  return requireExecutable(path.join(toolsBinDir(), 'minio'), 'The MinIO server');
}

/** The Compose Specification schema fetched by setup.sh. */
export function composeSchemaPath(): string {
  const file = path.join(repoRoot(), '.tools', 'compose-spec.json');
  if (!fs.existsSync(file)) {
    throw new MissingToolError(`The Compose schema is missing at ${file}. Run \`npm run setup\` first.`);
  }
  return file;
}

/** PostgreSQL's server binaries: the highest /usr/lib/postgresql/<n>/bin, else `pg_config --bindir`. */
export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base)
    ? fs
        .readdirSync(base)
        .filter((v) => /^\d+(\.\d+)?$/.test(v) && fs.existsSync(path.join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length > 0) return path.join(base, versions[0], 'bin');
  try {
    const dir = execFileSync('pg_config', ['--bindir'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (fs.existsSync(path.join(dir, 'initdb'))) return dir;
  } catch {
    // No pg_config on PATH: fall through to the error below.
  }
  throw new MissingToolError('PostgreSQL server binaries (initdb, postgres) not found. Run `npm run setup` first.');
}
