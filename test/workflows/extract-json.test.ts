import { extractJson } from '../../workflows/runs/extract-json';

function value(text: string): unknown {
  const result = extractJson(text);
  if (!result.ok) throw new Error(`expected JSON, got: ${result.message}`);
  return result.value;
}

function failure(text: string): string {
  const result = extractJson(text);
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.message;
}

describe('extractJson', () => {
  test('plain JSON, with whitespace around it', () => {
    expect(value('  {"a": 1}\n')).toEqual({ a: 1 });
    expect(value('[1, 2, 3]')).toEqual([1, 2, 3]);
  });

  test('a ```json fence, with prose around it', () => {
    const text = 'Sure! Here is the plan:\n\n```json\n{"titles": ["One", "Two"]}\n```\n\nLet me know if you need more.';
    expect(value(text)).toEqual({ titles: ['One', 'Two'] });
  });

  test('a bare ``` fence, and a fence is preferred over an earlier bracketed span', () => {
    expect(value('```\n[{"x": 1}]\n```')).toEqual([{ x: 1 }]);
    expect(value('Options [a] and [b], as JSON:\n```json\n{"pick": "a"}\n```')).toEqual({ pick: 'a' });
  });

  test('a fence that does not hold JSON falls back to the text around it', () => {
    expect(value('```python\nprint("hi")\n```\nThe result: {"ok": true}')).toEqual({ ok: true });
  });

  test('prose before and after, no fence', () => {
    expect(value('Sure! Here is the JSON: {"name": "Ada", "age": 36} Let me know if you need anything else.')).toEqual({
      name: 'Ada',
      age: 36,
    });
  });

  test('brackets inside strings do not count', () => {
    expect(value('Result: {"text": "a } and a ] and { [", "n": [1, {"m": "}"}]} done')).toEqual({
      text: 'a } and a ] and { [',
      n: [1, { m: '}' }],
    });
  });

  test('escaped quotes and backslashes inside strings', () => {
    expect(value('Here: {"quote": "she said \\"}\\" then left", "path": "C:\\\\dir\\\\"} ok')).toEqual({
      quote: 'she said "}" then left',
      path: 'C:\\dir\\',
    });
  });

  test('an array at the top level, with nested objects', () => {
    expect(value('The scenes are:\n[{"id": 1, "tags": ["a", "b"]}, {"id": 2, "tags": []}]\nEnjoy!')).toEqual([
      { id: 1, tags: ['a', 'b'] },
      { id: 2, tags: [] },
    ]);
  });

  test('multiple candidates: the first that parses wins', () => {
    expect(value('First {"a": 1} then {"b": 2}')).toEqual({ a: 1 });
    // Not JSON (unquoted keys): skipped whole, not mined for a fragment like [1, 2].
    expect(value('Like {name: \'x\', list: [1, 2]} but really: {"name": "x"}')).toEqual({ name: 'x' });
    // A bracket that never closes is passed over; the search goes on inside it.
    expect(value('I think {the answer is {"a": 1}')).toEqual({ a: 1 });
    // A stray closer ends a candidate.
    expect(value('{ oops ] and then {"b": 2}')).toEqual({ b: 2 });
  });

  test('trailing commas are tolerated, outside strings only', () => {
    expect(value('{"a": [1, 2, 3,], "b": {"c": 1,},}')).toEqual({ a: [1, 2, 3], b: { c: 1 } });
    expect(value('```json\n[\n  "x",\n  "y",\n]\n```')).toEqual(['x', 'y']);
    expect(value('{"s": "a,]", "t": [1,\n]}')).toEqual({ s: 'a,]', t: [1] });
  });

  test('a bare scalar is accepted when the whole answer is one', () => {
    expect(value(' 42 ')).toBe(42);
    expect(value('"yes"')).toBe('yes');
  });

  test('empty input', () => {
    expect(failure('')).toBe('The model’s answer is empty.');
    expect(failure('  \n\t ')).toBe('The model’s answer is empty.');
  });

  test('no JSON at all: the message quotes the start of the answer', () => {
    expect(failure('Sure, here are some ideas for your video: a cat, a dog.')).toBe(
      'The model’s answer holds no JSON object or array: "Sure, here are some ideas for your video: a cat, a dog."',
    );
    const long = failure(`Sure, here are the titles you asked for:\n\n${'blah '.repeat(50)}`);
    expect(long).toMatch(
      /^The model’s answer holds no JSON object or array: "Sure, here are the titles you asked for: blah blah.*…"$/,
    );
    expect(long.length).toBeLessThan(140);
  });

  test('garbage and broken JSON: the message names what is wrong', () => {
    expect(failure("Here: {name: 'x'}")).toMatch(
      /^The model’s answer holds no JSON that parses: the first candidate, "\{name: 'x'\}", does not parse \(.+\)\.$/,
    );
    expect(failure('Here you go: {"titles": ["One", "Tw')).toBe(
      'The model’s answer holds no JSON that parses: the first candidate, "{\\"titles\\": [\\"One\\", \\"Tw", never closes a string: was the answer cut off?',
    );
    expect(failure('{"a": [1, 2}')).toMatch(/the first candidate, .*, has a stray "\}"\.$/);
    expect(failure('}}}{{{]x[ [x] {y} @#!')).toMatch(/^The model’s answer holds no JSON that parses/);
  });

  test('a long run of unclosed brackets stays fast', () => {
    const started = Date.now();
    expect(failure('{'.repeat(20_000) + ' nothing')).toMatch(/never closes/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
