import Ajv2020 from 'ajv/dist/2020';
import { buildOpenApiDocument } from '../api/openapi/openapi-document';
import { SCHEMAS } from '../schemas';

test('the OpenAPI document embeds every validation schema and resolves every reference', () => {
  const doc = buildOpenApiDocument('http://example.test') as {
    paths: Record<string, unknown>;
    components: { schemas: Record<string, unknown> };
  };
  expect(Object.keys(doc.components.schemas).sort()).toEqual(Object.keys(SCHEMAS).sort());
  const refs = JSON.stringify(doc).match(/"\$ref":"([^"]+)"/g) ?? [];
  for (const ref of refs) {
    const name = ref.replace(/^"\$ref":"#\/components\/schemas\//, '').replace(/"$/, '');
    expect(doc.components.schemas).toHaveProperty(name);
  }
  for (const path of [
    '/v1/chat/completions',
    '/v1/images/generations',
    '/v1/audio/transcriptions',
    '/v1/3d/generations',
  ]) {
    expect(doc.paths).toHaveProperty([path]);
  }
  // Every component is itself a valid JSON Schema (OpenAPI 3.1 uses draft 2020-12).
  const ajv = new Ajv2020({ strict: false });
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    ajv.addSchema(schema as object, `#/components/schemas/${name}`);
  }
  expect(() => ajv.compile({ $ref: '#/components/schemas/ChatCompletionRequest' })).not.toThrow();
});
