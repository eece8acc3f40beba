import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitUntil } from '../support/processes';

/**
 * The process-wide net (api/http/last-resort.ts), in a process of its own since it installs
 * process handlers: an error thrown where nothing awaits it fails its request, not the process.
 */
const dist = (p: string) => JSON.stringify(path.resolve(__dirname, '..', '..', 'dist', p));
const SERVER = `
const Koa = require('koa');
const { EventEmitter } = require('node:events');
const { installLastResort } = require(${dist('api/http/last-resort.js')});
const { requestContext } = require(${dist('api/http/request-context.js')});
const { createLogger } = require(${dist('clients/logger.js')});
installLastResort(createLogger('api', 'error'));
const app = new Koa();
app.use(requestContext());
app.use(async (ctx) => {
  if (ctx.path === '/stream-error') {
    // A stream's 'error' with no listener: an uncaught exception, raised later in a timer.
    const stream = new EventEmitter();
    setTimeout(() => stream.emit('error', new Error('the file stream broke')), 5);
    await new Promise(() => undefined);
  }
  if (ctx.path === '/rejection') {
    setTimeout(() => void Promise.reject(new Error('nobody awaited this')), 5);
    await new Promise(() => undefined);
  }
  ctx.body = { ok: true };
});
const server = app.listen(0, '127.0.0.1', () => process.stdout.write('PORT ' + server.address().port + '\\n'));
`;

let child: ChildProcess;
let out = '';
let port = 0;

beforeAll(async () => {
  child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  await waitUntil(() => /PORT \d+/.test(out), 'the server to listen');
  port = Number(/PORT (\d+)/.exec(out)?.[1]);
});
afterAll(() => {
  child.kill('SIGKILL');
});

test.each(['/stream-error', '/rejection'])(
  '%s fails its request with a 500 envelope; the process serves on',
  async (p) => {
    const res = await fetch(`http://127.0.0.1:${port}${p}`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      error: { message: 'Internal error.', type: 'internal_error', param: null, code: null },
    });
    expect(child.exitCode).toBeNull();
    expect(await (await fetch(`http://127.0.0.1:${port}/ok`)).json()).toEqual({ ok: true });
    expect(out).toContain('uncaught error (the process keeps running)');
  },
);
