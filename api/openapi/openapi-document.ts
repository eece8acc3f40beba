import { SCHEMAS } from '../../schemas';
import { paths } from './openapi-paths';

/**
 * The schemas as OpenAPI components: a bare `$ref: "Id"` becomes a component reference, a local
 * one (`#/$defs/x`) is re-rooted under its component, and `$id` is dropped.
 */
function componentSchemas(): Record<string, unknown> {
  const rewrite = (id: string, node: unknown): unknown => {
    if (Array.isArray(node)) return node.map((item) => rewrite(id, item));
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$id') continue;
      if (key === '$ref' && typeof value === 'string') {
        out[key] = value.startsWith('#/')
          ? `#/components/schemas/${id}/${value.slice(2)}`
          : `#/components/schemas/${value}`;
      } else out[key] = rewrite(id, value);
    }
    return out;
  };
  return Object.fromEntries(Object.entries(SCHEMAS).map(([id, schema]) => [id, rewrite(id, schema)]));
}

/** The OpenAPI document, built from the same schemas that validate request bodies. */
export function buildOpenApiDocument(serverUrl: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'inference.club API',
      version: '1.0.0',
      description:
        "OpenAI-compatible API in front of members' home GPUs. Point any OpenAI client at `<server>/v1` with your key. Every error comes in OpenAI's envelope `{error: {message, type, param, code}}`.",
    },
    servers: [{ url: serverUrl }],
    security: [{ bearerAuth: [] }],
    paths: paths(),
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'Your API key.' } },
      schemas: componentSchemas(),
    },
  };
}
