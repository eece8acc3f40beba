import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The lint rule that keeps workflow code deterministic, at any depth under workflows/. */
const ROOT = path.resolve(__dirname, '..', '..');

const PROBES = path.join(ROOT, 'workflows', '__lint_probes__');
afterAll(() => rmSync(PROBES, { recursive: true, force: true }));

/**
 * Lints `code` as a file at `file` under workflows/ (written there for the moment: typed linting
 * only sees files on disk). ESLint loads its config with a dynamic import, which jest's CommonJS
 * runtime refuses, so this runs its CLI.
 */
async function problems(code: string, file: string): Promise<string[]> {
  const target = path.join(PROBES, file);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, code);
  const run = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js'), '-f', 'json', target],
    { cwd: ROOT, encoding: 'utf8' },
  );
  const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string | null; message: string }[] }[];
  const fatal = result.messages.find((m) => m.ruleId === null);
  if (fatal) throw new Error(fatal.message);
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

test.each(['probe.ts', 'runs/deep/probe.ts'])(
  'in %s: npm packages, Node built-ins and app modules are refused as values',
  async (file) => {
    const up = '../'.repeat(file.split('/').length + 1);
    const found = await problems(
      [
        "import { sql } from 'kysely';",
        "import { readFileSync } from 'node:fs';",
        `import { isUuid } from '${up}db/ids';`,
        'export const used = [sql, readFileSync, isUuid];',
      ].join('\n'),
      file,
    );
    const refused = (specifier: string) => found.some((m) => m.startsWith(`'${specifier}' import is restricted`));
    expect([refused('kysely'), refused('node:fs'), refused(`${up}db/ids`)]).toEqual([true, true, true]);
  },
);

test('the workflow SDK, its common types, type imports and local helpers are fine', async () => {
  const found = await problems(
    [
      "import { proxyActivities } from '@temporalio/workflow';",
      "import { SearchAttributeType } from '@temporalio/common';",
      "import type { Db } from '../../../db/database';",
      "import { REQUEST_KINDS } from '../../inference-contract';",
      'export const used: [unknown, unknown, Db | undefined, unknown] = [proxyActivities, SearchAttributeType, undefined, REQUEST_KINDS];',
    ].join('\n'),
    'runs/probe.ts',
  );
  expect(found).toEqual([]);
});
