import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validateCompose } from '../../scripts/validate-compose';
import { parse } from 'yaml';
import { LATENCY_TUNING, repoRoot, SEARCH_ATTRIBUTES } from '../../scripts/services';

describe('the Temporal dynamic config of docker-compose.yml', () => {
  test('carries the same latency tuning as the local dev server', () => {
    const file = path.join(repoRoot(), 'config', 'temporal', 'dynamicconfig.yaml');
    const parsed = parse(fs.readFileSync(file, 'utf8')) as Record<string, { value: unknown }[]>;
    const fromYaml = Object.entries(parsed).map(([key, [{ value }]]) => `${key}=${String(value)}`);
    expect(fromYaml).toEqual(expect.arrayContaining([...LATENCY_TUNING]));
    expect(fromYaml.filter((v) => !LATENCY_TUNING.includes(v))).toEqual([
      'system.forceSearchAttributesCacheRefreshOnRead=true',
    ]);
  });
});

describe('docker-compose.yml', () => {
  test('registers exactly the search attributes of the one registry', () => {
    const compose = parse(fs.readFileSync(path.join(repoRoot(), 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { entrypoint?: string[] }>;
    };
    const setup = Object.values(compose.services).find((s) => s.entrypoint?.includes('search-attribute'));
    const args = setup?.entrypoint ?? [];
    const registered = args.flatMap((arg, i) => (arg === '--name' ? [`${args[i + 1]}=${args[i + 3]}`] : []));
    expect(registered.sort()).toEqual(
      Object.entries(SEARCH_ATTRIBUTES)
        .map(([n, t]) => `${n}=${t}`)
        .sort(),
    );
  });

  test('is valid against the Compose Specification schema and sets every app variable', () => {
    expect(validateCompose().errors).toEqual([]);
  });

  test('the validator rejects what Compose would reject', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-test-'));
    try {
      const original = fs.readFileSync(path.join(repoRoot(), 'docker-compose.yml'), 'utf8');
      const broken = path.join(dir, 'docker-compose.yml');
      fs.writeFileSync(
        broken,
        original.replace('restart: unless-stopped', 'restart: unless-stopped\n    colour: blue'),
      );
      expect(validateCompose(broken).errors).toEqual([expect.stringContaining('colour')]);
      fs.writeFileSync(broken, original.replace(/^ {2}GATEWAY_SECRET: .*$/m, ''));
      expect(validateCompose(broken).errors).toEqual([
        '/services/api/environment lacks GATEWAY_SECRET',
        '/services/worker/environment lacks GATEWAY_SECRET',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Dockerfile', () => {
  test('copies every source folder the build compiles', () => {
    const root = repoRoot();
    const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    const excluded = new Set(['node_modules', 'dist', 'test', '.tools', '.data', '.git']);
    const sources = fs
      .readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !excluded.has(e.name) && !e.name.startsWith('.'))
      .filter((e) =>
        fs.readdirSync(path.join(root, e.name), { recursive: true }).some((f) => String(f).endsWith('.ts')),
      )
      .map((e) => e.name);
    expect(sources.length).toBeGreaterThan(5);
    expect(sources.filter((dir) => !dockerfile.includes(`COPY ${dir} ./${dir}`))).toEqual([]);
  });
});
