import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject } from 'ajv';
import { parseDocument } from 'yaml';
import { composeSchemaPath, repoRoot } from './services/tools';

/** Variables the api and worker read (config/config.ts); both services must set every one. */
export const APP_ENVIRONMENT = [
  'DATABASE_URL',
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_TASK_QUEUE',
  'S3_ENDPOINT',
  'S3_ACCESS_KEY',
  'S3_SECRET_KEY',
  'S3_BUCKET',
  'S3_REGION',
  'API_HOST',
  'API_PORT',
  'PUBLIC_BASE_URL',
  'GATEWAY_SECRET',
  'LOG_LEVEL',
] as const;

const APP_SERVICES = ['api', 'worker'];

export interface ComposeReport {
  file: string;
  errors: string[];
}

interface Service {
  depends_on?: string[] | Record<string, unknown>;
  environment?: string[] | Record<string, unknown>;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath || '/';
  const params = error.params as { additionalProperty?: string; unevaluatedProperty?: string };
  const property = params.additionalProperty ?? params.unevaluatedProperty;
  const extra = property === undefined ? '' : `: "${property}"`;
  return `${where} ${error.message ?? 'is invalid'}${extra}`;
}

function keys(value: string[] | Record<string, unknown> | undefined): string[] {
  if (!value) return [];
  return Array.isArray(value) ? value.map((entry) => entry.split('=')[0]) : Object.keys(value);
}

/** Checks a Compose file against the Compose Specification schema, then against what this project's services need. */
export function validateCompose(
  file: string = path.join(repoRoot(), 'docker-compose.yml'),
  schemaFile: string = composeSchemaPath(),
): ComposeReport {
  const doc = parseDocument(fs.readFileSync(file, 'utf8'), { merge: true, prettyErrors: true });
  if (doc.errors.length > 0) return { file, errors: doc.errors.map((e) => `YAML: ${e.message}`) };
  const compose: unknown = doc.toJS();

  const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as object;
  // strict: false because the upstream schema is not written for Ajv's strict mode (e.g. "properties" without "type").
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  if (!validate(compose)) return { file, errors: (validate.errors ?? []).map(describe) };

  const errors: string[] = [];
  const services = (compose as { services?: Record<string, Service> }).services ?? {};
  for (const [name, service] of Object.entries(services)) {
    for (const dep of keys(service.depends_on)) {
      if (!(dep in services)) errors.push(`/services/${name}/depends_on names an unknown service "${dep}"`);
    }
  }
  for (const name of APP_SERVICES) {
    const service = services[name];
    if (!service) {
      errors.push(`/services/${name} is missing`);
      continue;
    }
    const missing = APP_ENVIRONMENT.filter((key) => !keys(service.environment).includes(key));
    if (missing.length > 0) errors.push(`/services/${name}/environment lacks ${missing.join(', ')}`);
  }
  return { file, errors };
}

function main(): void {
  const file = path.resolve(process.argv[2] ?? path.join(repoRoot(), 'docker-compose.yml'));
  const schemaFile = composeSchemaPath();
  const versionFile = path.join(path.dirname(schemaFile), 'compose-spec.version');
  const version = fs.existsSync(versionFile) ? fs.readFileSync(versionFile, 'utf8').trim() : 'unknown version';
  const { errors } = validateCompose(file, schemaFile);
  const name = path.relative(process.cwd(), file) || file;
  if (errors.length === 0) {
    console.log(`${name}: valid (Compose Specification schema from compose-go ${version})`);
    return;
  }
  console.error(`${name}: ${errors.length} problem(s):\n${errors.map((e) => `  ${e}`).join('\n')}`);
  process.exitCode = 1;
}

if (require.main === module) main();
