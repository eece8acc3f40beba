import { execFile } from 'node:child_process';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  timeoutMs?: number;
  input?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a short command to completion; a non-zero exit is a result, not an exception. */
export function run(command: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const proc = execFile(
      command,
      args,
      {
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        uid: opts.uid,
        gid: opts.gid,
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          // Spawn failures (ENOENT) and timeouts are not exit codes.
          if (err.killed) resolve({ code: -1, stdout, stderr: `${stderr}\n(killed after timeout)` });
          else reject(new Error(`cannot run ${command}: ${err.message}`));
          return;
        }
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
    if (opts.input !== undefined) proc.stdin?.end(opts.input);
    else proc.stdin?.end();
  });
}

/** Like run, but throws with the command's output when it fails. */
export async function runChecked(command: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const result = await run(command, args, opts);
  if (result.code !== 0) {
    const output = `${result.stdout}\n${result.stderr}`.trim();
    throw new Error(`${command} ${args[0] ?? ''} failed with code ${result.code}:\n${output}`);
  }
  return result.stdout;
}
