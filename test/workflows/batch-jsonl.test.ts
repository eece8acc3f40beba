import { describeBatchProblems, parseBatchJsonl } from '../../workflows/batch-jsonl';

const line = (o: Record<string, unknown>) =>
  JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: { model: 'm' }, ...o });

test('valid lines come back with their line numbers; blank lines, CRLF and a BOM are fine', () => {
  const text = `\uFEFF${line({ custom_id: 'a' })}\r\n\r\n${line({ custom_id: 'b', url: '/v1/audio/speech' })}`;
  for (const input of [text, Buffer.from(text)]) {
    const result = parseBatchJsonl(input);
    expect(result).toEqual({
      ok: true,
      items: [
        { line: 1, custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: { model: 'm' } },
        { line: 3, custom_id: 'b', method: 'POST', url: '/v1/audio/speech', body: { model: 'm' } },
      ],
    });
  }
});

test('every problem, with line and field', () => {
  const bytes = Buffer.concat([
    Buffer.from(`${line({ custom_id: 7 })}\n`),
    Buffer.from([0xff, 0xfe, 0x0a]),
    Buffer.from(`${'['.repeat(100)}${']'.repeat(100)}\n`),
    Buffer.from(`${line({ custom_id: '', url: '/v1/completions' })}\n`),
  ]);
  const result = parseBatchJsonl(bytes, { endpoint: '/v1/chat/completions' });
  expect(result).toEqual({
    ok: false,
    total: 5,
    problems: [
      { line: 1, field: 'custom_id', message: "'custom_id' must be a string" },
      { line: 2, field: null, message: 'is not UTF-8 text' },
      { line: 3, field: null, message: 'is nested more than 64 levels deep' },
      { line: 4, field: 'custom_id', message: "'custom_id' is empty" },
      { line: 4, field: 'url', message: `'url' "/v1/completions" is not the batch's endpoint /v1/chat/completions` },
    ],
  });
});

test('the endpoint option, and the request limit', () => {
  const mixed = parseBatchJsonl(`${line({ custom_id: 'a' })}\n${line({ custom_id: 'b', url: '/v1/completions' })}`, {
    endpoint: '/v1/chat/completions',
  });
  expect(mixed.ok).toBe(false);
  if (!mixed.ok) expect(mixed.problems[0]).toMatchObject({ line: 2, field: 'url' });

  const many = Array.from({ length: 5 }, (_, i) => line({ custom_id: `c${i}` })).join('\n');
  const limited = parseBatchJsonl(many, { maxRequests: 3 });
  expect(limited).toEqual({
    ok: false,
    total: 1,
    problems: [{ line: null, field: null, message: expect.stringContaining('more than 3 requests') as string }],
  });
  if (!limited.ok) expect(describeBatchProblems(limited)).toMatch(/^The batch file has a problem: The file has more/);
});
