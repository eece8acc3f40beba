import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { App } from '../api/app';
import type { ApiDeps } from '../api/deps';
import { Lifecycle } from '../api/http/lifecycle';
import { buildOpenApiDocument } from '../api/openapi/openapi-document';
import { loadConfig } from '../config/config';
import { SCHEMAS } from '../schemas';

interface Doc {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
  components: { schemas: Record<string, unknown> };
}

const doc = buildOpenApiDocument('http://example.test') as unknown as Doc;

test('the document passes a standard OpenAPI 3.1 validator', () => {
  const output = execFileSync(process.execPath, [path.join(__dirname, 'support', 'validate-openapi.mjs')], {
    input: JSON.stringify(doc),
  });
  expect(JSON.parse(output.toString())).toEqual({ valid: true, errors: [] });
});

test('the document embeds every schema and resolves every reference', () => {
  expect(Object.keys(doc.components.schemas).sort()).toEqual(Object.keys(SCHEMAS).sort());
  const ajv = new Ajv2020({ strict: false });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema({ $id: 'doc', ...doc } as object);
  for (const name of Object.keys(doc.components.schemas)) {
    expect(() => ajv.compile({ $ref: `doc#/components/schemas/${name}` })).not.toThrow();
  }
});

test('every route the API serves is declared, and nothing else', () => {
  const config = loadConfig({
    DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
    S3_ENDPOINT: 'http://127.0.0.1:9',
    S3_ACCESS_KEY: 'unused',
    S3_SECRET_KEY: 'unused',
    GATEWAY_SECRET: 'unused-by-this-test',
  });
  const app = new App({ config, lifecycle: new Lifecycle() } as unknown as ApiDeps);
  const served = app
    .routes()
    .filter((route) => !route.includes(' /internal/'))
    .map((route) => route.replace(/:(\w+)/g, '{$1}').replace(/\*(\w+)/g, '{$1}'))
    .map((route) => route.replace(/\/\{id\}$/, '/{id}/'))
    .sort();
  const declared = Object.entries(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`))
    .map((route) => route.replace(/\/\{id\}\/$/, '/{id}/'))
    .sort();
  const normalise = (routes: string[]) => routes.map((r) => r.replace(/\/$/, ''));
  expect(normalise(served)).toEqual(normalise(declared));
});

test('every success response says what it carries', () => {
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (status === '204') continue;
        expect({ route: `${method} ${path}`, status, content: Boolean(response.content) }).toEqual({
          route: `${method} ${path}`,
          status,
          content: true,
        });
      }
    }
  }
});
