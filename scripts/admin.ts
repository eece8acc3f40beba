import { parseArgs } from 'node:util';
import { url } from '../config/env';
import { createDb } from '../db/database';
import { createApiKey, createMember, findMemberByName } from '../db/repositories/member.repository';

const USAGE = `Usage:
  npm run admin -- create-member <name>   create a member and print a new API key
  npm run admin -- create-key <name>      print an additional API key for an existing member

Reads DATABASE_URL (the stack prints it; see README).`;

async function main(): Promise<void> {
  const { positionals } = parseArgs({ allowPositionals: true });
  const [command, name] = positionals;
  if (!name || !['create-member', 'create-key'].includes(command)) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const db = createDb(url(process.env, 'DATABASE_URL'), 1);
  try {
    const existing = await findMemberByName(db, name);
    if (command === 'create-member' && existing) throw new Error(`member '${name}' already exists; use create-key`);
    if (command === 'create-key' && !existing) throw new Error(`no member named '${name}'`);
    const member = existing ?? (await createMember(db, name));
    const key = await createApiKey(db, member.id);
    process.stdout.write(
      `member: ${member.name} (${member.id})\napi key: ${key}\n(the key is shown once; only its hash is stored)\n`,
    );
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`admin: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
