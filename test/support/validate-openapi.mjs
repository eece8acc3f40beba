// Validates the OpenAPI document read from stdin with @seriousme/openapi-schema-validator (an
// ES module, hence this script instead of an import in the jest suite). Prints the result as JSON.
import { Validator } from '@seriousme/openapi-schema-validator';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const result = await new Validator().validate(JSON.parse(Buffer.concat(chunks).toString('utf8')));
process.stdout.write(JSON.stringify({ valid: result.valid, errors: result.errors ?? [] }));
