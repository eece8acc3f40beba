import OpenAI, { toFile } from 'openai';
import { createFile, fileIdFor, readFile } from '../db/repositories/file.repository';
import { createStorage } from '../clients/storage';
import { TestStack, type TestMember } from './support/test-stack';

/** The Files API through OpenAI's SDK, as the Batch API uses it. */
let stack: TestStack;
let alice: TestMember;
let bob: TestMember;

beforeAll(async () => {
  stack = await TestStack.start();
  [alice, bob] = await Promise.all([stack.member('alice'), stack.member('bob')]);
});
afterAll(async () => {
  await stack.stop();
});

type Envelope = { error: { message: string; type: string; param: string | null; code: string | null } };

const line = (customId: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    custom_id: customId,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'demo-chat', messages: [{ role: 'user', content: `hi ${customId}` }] },
    ...extra,
  });

const jsonl = (...lines: string[]) => `${lines.join('\n')}\n`;

async function failure(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OpenAI.APIError);
  return err as InstanceType<typeof OpenAI.APIError>;
}

describe('a batch input file, end to end', () => {
  test('create, retrieve, content (the same bytes), delete', async () => {
    const text = jsonl(line('a'), line('b'), line('c', { url: '/v1/images/generations', body: { prompt: 'x' } }));
    const file = await alice.openai.files.create({
      file: await toFile(Buffer.from(text), 'batch.jsonl'),
      purpose: 'batch',
    });
    expect(file).toEqual({
      id: expect.stringMatching(/^file-[A-Za-z0-9]{24}$/) as string,
      object: 'file',
      bytes: Buffer.byteLength(text),
      created_at: expect.any(Number) as number,
      filename: 'batch.jsonl',
      purpose: 'batch',
      status: 'processed',
      expires_at: null,
    });
    expect(Math.abs(file.created_at - Date.now() / 1000)).toBeLessThan(60);

    expect(await alice.openai.files.retrieve(file.id)).toEqual(file);

    const content = await alice.openai.files.content(file.id);
    expect(content.headers.get('content-type')).toMatch(/^application\/jsonl/);
    expect(Buffer.from(await content.arrayBuffer()).equals(Buffer.from(text))).toBe(true);

    expect(await alice.openai.files.delete(file.id)).toEqual({ id: file.id, object: 'file', deleted: true });
    expect((await failure(alice.openai.files.retrieve(file.id))).status).toBe(404);
    expect((await failure(alice.openai.files.content(file.id))).status).toBe(404);
    expect((await failure(alice.openai.files.delete(file.id))).status).toBe(404);
  });

  test('user_data is stored as it is, and served as octet-stream', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13]);
    const file = await alice.openai.files.create({ file: await toFile(bytes, 'raw.bin'), purpose: 'user_data' });
    expect(file).toMatchObject({ purpose: 'user_data', bytes: bytes.length, filename: 'raw.bin' });
    const content = await alice.openai.files.content(file.id);
    expect(content.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await content.arrayBuffer()).equals(bytes)).toBe(true);
  });

  test('list: newest first, by purpose, paged with after', async () => {
    const carol = await stack.member('carol');
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const purpose = i % 2 === 0 ? 'batch' : 'user_data';
      const body = purpose === 'batch' ? jsonl(line(`x${i}`)) : `note ${i}`;
      made.push((await carol.openai.files.create({ file: await toFile(Buffer.from(body), `f${i}`), purpose })).id);
    }
    const newestFirst = [...made].reverse();

    const first = await carol.openai.files.list({ limit: 2 });
    expect(first.data.map((f) => f.id)).toEqual(newestFirst.slice(0, 2));
    expect(first.has_more).toBe(true);
    const second = await carol.openai.files.list({ limit: 2, after: first.data[1].id });
    expect(second.data.map((f) => f.id)).toEqual(newestFirst.slice(2, 4));

    // The SDK's auto-pagination follows has_more with `after` = the last id.
    const all: string[] = [];
    for await (const file of carol.openai.files.list({ limit: 2 })) all.push(file.id);
    expect(all).toEqual(newestFirst);

    const batches = await carol.openai.files.list({ purpose: 'batch' });
    expect(batches.data.map((f) => f.id)).toEqual([made[4], made[2], made[0]]);
    expect(batches.has_more).toBe(false);

    const raw = (await (
      await fetch(`${stack.url}/v1/files?limit=100&order=asc`, { headers: { authorization: `Bearer ${carol.key}` } })
    ).json()) as { object: string; data: { id: string }[]; first_id: string; last_id: string; has_more: boolean };
    expect(raw).toMatchObject({ object: 'list', first_id: made[0], last_id: made[4], has_more: false });
    expect(raw.data.map((f) => f.id)).toEqual(made);

    // Nobody else's files show up.
    expect((await bob.openai.files.list()).data.map((f) => f.id)).not.toContain(made[0]);
  });

  test.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1&limit=2', 'limit'],
    ['purpose=fine-tune', 'purpose'],
    ['order=sideways', 'order'],
    ['after=nope', 'after'],
    [`after=${fileIdFor('never uploaded')}`, 'after'],
  ])('list with %s is a 400 naming %s', async (query, param) => {
    const res = await fetch(`${stack.url}/v1/files?${query}`, { headers: { authorization: `Bearer ${alice.key}` } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Envelope).error).toMatchObject({ type: 'invalid_request_error', param });
  });
});

describe('refusals', () => {
  test('a bad batch file is one 400 listing every bad line, with its number and field', async () => {
    const text = [
      line('ok-1'),
      '{not json',
      '',
      line('ok-1'),
      JSON.stringify({ method: 'GET', url: '/v1/embeddings', body: [] }),
      line('s', { body: { model: 'demo-chat', messages: [], stream: true } }),
      '[1, 2]',
      line('ok-2'),
    ].join('\r\n');
    const err = await failure(
      alice.openai.files.create({ file: await toFile(Buffer.from(text), 'bad.jsonl'), purpose: 'batch' }),
    );
    expect(err.status).toBe(400);
    expect(err.param).toBe('file');
    expect(err.code).toBe('invalid_batch_file');
    expect(err.type).toBe('invalid_request_error');
    const message = err.message;
    expect(message).toContain('8 problems');
    for (const expected of [
      'line 2: is not valid JSON',
      `line 4: 'custom_id' "ok-1" repeats the one of line 1`,
      "line 5: 'custom_id' is missing",
      `line 5: 'method' must be "POST"`,
      `line 5: 'url' "/v1/embeddings" is not a batchable endpoint`,
      "line 5: 'body' must be a JSON object",
      "line 6: 'body.stream' must not be true",
      'line 7: is not a JSON object',
    ]) {
      expect(message).toContain(expected);
    }
    expect(message).not.toMatch(/line [138]:/);
  });

  test('problems past the first 50 are counted, not listed', async () => {
    const text = jsonl(...Array.from({ length: 120 }, (_, i) => `bad ${i}`));
    const err = await failure(
      alice.openai.files.create({ file: await toFile(Buffer.from(text), 'bad.jsonl'), purpose: 'batch' }),
    );
    expect(err.status).toBe(400);
    expect(err.message).toContain('120 problems');
    expect(err.message).toContain('line 50: is not valid JSON');
    expect(err.message).not.toContain('line 51:');
    expect(err.message).toContain('and 70 more');
  });

  test('an empty batch file, and an empty file', async () => {
    const blank = await failure(
      alice.openai.files.create({ file: await toFile(Buffer.from('\n\n'), 'b.jsonl'), purpose: 'batch' }),
    );
    expect(blank.status).toBe(400);
    expect(blank.message).toContain('no requests');
    const empty = await failure(
      alice.openai.files.create({ file: await toFile(Buffer.alloc(0), 'e.bin'), purpose: 'user_data' }),
    );
    expect(empty.status).toBe(400);
    expect(empty.param).toBe('file');
  });

  test('an unknown purpose is a 400 naming purpose', async () => {
    const err = await failure(
      alice.openai.files.create({
        file: await toFile(Buffer.from(jsonl(line('a'))), 'batch.jsonl'),
        purpose: 'fine-tune',
      }),
    );
    expect(err.status).toBe(400);
    expect(err.param).toBe('purpose');
    expect(err.message).toContain('batch, user_data');
  });

  test('expires_after is refused, not dropped', async () => {
    const err = await failure(
      alice.openai.files.create({
        file: await toFile(Buffer.from('x'), 'x.txt'),
        purpose: 'user_data',
        expires_after: { anchor: 'created_at', seconds: 3600 },
      }),
    );
    expect(err.status).toBe(400);
    expect(err.param).toBe('expires_after');
  });

  test("another member's file is a 404 on retrieve, content and delete, and stays", async () => {
    const file = await alice.openai.files.create({
      file: await toFile(Buffer.from(jsonl(line('mine'))), 'mine.jsonl'),
      purpose: 'batch',
    });
    for (const call of [
      bob.openai.files.retrieve(file.id),
      bob.openai.files.content(file.id),
      bob.openai.files.delete(file.id),
    ]) {
      const err = await failure(call);
      expect(err.status).toBe(404);
      expect(err.type).toBe('not_found');
    }
    expect((await alice.openai.files.retrieve(file.id)).id).toBe(file.id);
  });

  test('malformed ids are a 404 without reaching a query', async () => {
    for (const id of ['%00', 'file-', 'x'.repeat(5000), "file-'; drop table files; --"]) {
      for (const path of [`/v1/files/${id}`, `/v1/files/${id}/content`]) {
        const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${alice.key}` } });
        expect(res.status).toBe(404);
        expect(((await res.json()) as Envelope).error.type).toBe('not_found');
      }
    }
  });

  test('a multipart body cut off mid-file is a 400, and the API keeps serving', async () => {
    const body =
      `--XYZ\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n` +
      `--XYZ\r\nContent-Disposition: form-data; name="file"; filename="b.jsonl"\r\n\r\n{"custom_id":`;
    const res = await fetch(`${stack.url}/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.key}`, 'content-type': 'multipart/form-data; boundary=XYZ' },
      body,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Envelope).error.type).toBe('invalid_request_error');
    expect(Array.isArray((await alice.openai.files.list()).data)).toBe(true);
  });

  test('a file over the size limit is a 413', async () => {
    const small = await TestStack.start({ env: { MAX_BODY_BYTES: '4096' } });
    try {
      const carol = await small.member('carol');
      const err = await failure(
        carol.openai.files.create({ file: await toFile(Buffer.alloc(5000, 1), 'big.bin'), purpose: 'user_data' }),
      );
      expect(err.status).toBe(413);
      expect(err.param).toBe('file');
    } finally {
      await small.stop();
    }
  });
});

describe('for the batch code', () => {
  test('createFile with a seeded id writes one file however often it runs, readable by its owner only', async () => {
    const storage = createStorage(stack.config);
    const id = fileIdFor(`test:${alice.id}:output`);
    const bytes = Buffer.from(jsonl(JSON.stringify({ id: 'r1', custom_id: 'a', response: null, error: null })));
    const input = {
      db: stack.db,
      storage,
      memberId: alice.id,
      filename: 'out.jsonl',
      purpose: 'batch_output' as const,
      bytes,
      id,
    };
    const made = await createFile(input);
    expect(await createFile(input)).toEqual(made);
    expect(made).toMatchObject({ id, purpose: 'batch_output', bytes: bytes.length, status: 'processed' });
    expect((await readFile(stack.db, storage, alice.id, id))?.bytes.equals(bytes)).toBe(true);
    expect(await readFile(stack.db, storage, bob.id, id)).toBeUndefined();

    const listed = await alice.openai.files.list({ purpose: 'batch_output' });
    expect(listed.data.map((f) => f.id)).toContain(id);
    const content = await alice.openai.files.content(id);
    expect(content.headers.get('content-type')).toMatch(/^application\/jsonl/);
    expect(Buffer.from(await content.arrayBuffer()).equals(bytes)).toBe(true);
  });
});
