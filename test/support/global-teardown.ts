import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const services = ((globalThis as Record<string, unknown>).__services ?? []) as { stop(): Promise<void> }[];
  await Promise.allSettled(services.map((s) => s.stop()));
  const dir = process.env.TEST_TMP_DIR;
  if (dir && !process.env.KEEP_TEST_DIR) rmSync(dir, { recursive: true, force: true });
}
