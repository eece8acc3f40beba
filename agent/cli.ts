import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { advertisedModels } from './advertised-models';
import type { AdvertisedModel } from './agent-api';
import { ProviderAgent } from './provider-agent';
import { discoverModels, type UpstreamMap } from './upstream';

const USAGE = `Usage: npm run agent -- --name <provider-name> --upstream <url> [options]

Runs a provider agent beside your local model servers. Outbound HTTPS only.

  --api-url <url>       platform API (env INFERENCE_CLUB_URL, default http://127.0.0.1:8080)
  --key <key>           your API key (env INFERENCE_CLUB_KEY)
  --name <name>         provider name shown as owned_by (letters, digits, . _ -)
  --upstream <url>      base URL of an OpenAI-compatible server (Ollama, vLLM, llama.cpp, LM Studio);
                        repeat as <service_type>=<url> to route other modalities elsewhere
  --models <file>       JSON list of models to advertise (default: the upstream's /v1/models, as llm
                        unless an entry gives its service_type and capabilities)
  --concurrency <n>     tasks at once (default 1)
  --shared              let other members use this provider
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'api-url': { type: 'string' },
      key: { type: 'string' },
      name: { type: 'string' },
      upstream: { type: 'string', multiple: true },
      models: { type: 'string' },
      concurrency: { type: 'string' },
      shared: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void process.stdout.write(USAGE);
  const key = values.key ?? process.env.INFERENCE_CLUB_KEY;
  const upstreams = parseUpstreams(values.upstream ?? []);
  if (!key || !values.name || !upstreams) {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  const concurrency = Number(values.concurrency ?? 1);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('--concurrency must be a positive integer');
  const skipped = (id: string, reason: string) => process.stderr.write(`not advertising '${id}': ${reason}\n`);
  const models: AdvertisedModel[] = values.models
    ? advertisedModels(JSON.parse(readFileSync(values.models, 'utf8')), skipped)
    : await discoverModels(upstreams.default, skipped);
  const agent = new ProviderAgent({
    apiUrl: values['api-url'] ?? process.env.INFERENCE_CLUB_URL ?? 'http://127.0.0.1:8080',
    key,
    name: values.name,
    upstreams,
    models,
    concurrency,
    shared: values.shared ?? false,
  });
  const providerId = await agent.start();
  process.stdout.write(`agent ${values.name} (${providerId}) serving ${models.map((m) => m.id).join(', ')}\n`);
  const stop = () => {
    process.stdout.write('finishing in-flight tasks...\n');
    void agent.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function parseUpstreams(values: string[]): UpstreamMap | undefined {
  const map: Partial<Record<string, string>> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq > 0 && !value.slice(0, eq).includes(':')) map[value.slice(0, eq)] = value.slice(eq + 1);
    else map.default = value;
  }
  const fallback = map.default ?? Object.values(map)[0];
  return fallback ? { ...map, default: fallback } : undefined;
}

main().catch((err: unknown) => {
  process.stderr.write(`agent failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
