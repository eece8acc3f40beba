import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import {
  createTransformActivities,
  TRANSFORM_FAILED,
  TransformPool,
  type TransformInput,
} from '../../activities/transform-activities';

const pool = new TransformPool();
const { runTransform } = createTransformActivities({ pool });
afterAll(() => pool.close());

const steps = {
  plan: {
    output: {
      text: 'Open on a beach\nA storm rolls in\nThe lighthouse goes dark',
      titles: ['Beach', 'Storm', 'Dark'],
    },
  },
};
const data = { inputs: { topic: 'lighthouses', lines: ['alpha', 'beta', 'gamma'] }, steps };

const run = (expression: string, over: unknown = data, timeoutMs = 2000) =>
  runTransform({ expression, data: over, timeoutMs });

/** The failure a call ends with; it must be a non-retryable `transform_failed`. */
async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  const failure = err as ApplicationFailure;
  expect(failure.type).toBe(TRANSFORM_FAILED);
  expect(failure.nonRetryable).toBe(true);
  return failure;
}

describe('runTransform', () => {
  test('picks a field', async () => {
    expect(await run('steps.plan.output.titles')).toEqual(['Beach', 'Storm', 'Dark']);
    expect(await run('inputs.topic')).toBe('lighthouses');
  });

  test('splits and joins text', async () => {
    expect(await run('$split(steps.plan.output.text, "\\n")')).toEqual([
      'Open on a beach',
      'A storm rolls in',
      'The lighthouse goes dark',
    ]);
    expect(await run('$join(steps.plan.output.titles, " / ")')).toBe('Beach / Storm / Dark');
  });

  test('numbers lines', async () => {
    expect(await run('$map(inputs.lines, function($v, $i) { ($i+1) & ". " & $v })')).toEqual([
      '1. alpha',
      '2. beta',
      '3. gamma',
    ]);
    // JSONata's way: a sequence of one is the value itself; an array constructor keeps the array.
    expect(await run('$map(lines, function($v, $i) { ($i+1) & ". " & $v })', { lines: ['x'] })).toBe('1. x');
    expect(await run('[$map(lines, function($v, $i) { ($i+1) & ". " & $v })]', { lines: ['x'] })).toEqual(['1. x']);
  });

  test('builds objects; results are plain JSON values', async () => {
    const result = await run(
      '{"topic": inputs.topic, "count": $count(steps.plan.output.titles), "first": steps.plan.output.titles[0]}',
    );
    expect(result).toEqual({ topic: 'lighthouses', count: 3, first: 'Beach' });
    // A JSONata sequence comes back as a plain array.
    const titles = await run('steps.plan.output.titles.$uppercase($)');
    expect(titles).toEqual(['BEACH', 'STORM', 'DARK']);
    expect(Object.keys(titles as object)).toEqual(['0', '1', '2']);
  });

  test('nothing matched is null', async () => {
    expect(await run('steps.nothere.output')).toBeNull();
  });

  test('runs as an activity (MockActivityEnvironment)', async () => {
    const env = new MockActivityEnvironment();
    const input: TransformInput = { expression: '$sum(values)', data: { values: [1, 2, 3.5] }, timeoutMs: 2000 };
    expect(await env.run(runTransform, input)).toBe(6.5);
  });

  test('a syntax error gives JSONata’s message and position', async () => {
    const err = await failure(run('steps.plan.output.titles['));
    expect(err.message).toBe(
      `The transform's expression does not parse: Expected "]" before end of expression (S0203 at position 25).`,
    );
  });

  test('a runtime error gives JSONata’s message', async () => {
    const err = await failure(run('inputs.topic + 1'));
    expect(err.message).toMatch(
      /^The transform failed: The left side of the "\+" operator must evaluate to a number \(T2001 at position \d+\)\.$/,
    );
    const missing = await failure(run('$nosuchfunction(1)'));
    expect(missing.message).toMatch(/^The transform failed: Attempted to invoke a non-function \(T1006/);
    // The expression's own $error: its message alone.
    const raised = await failure(run('$exists(steps.plan.output.scenes) ? 1 : $error("the plan has no scenes")'));
    expect(raised.message).toBe('The transform failed: the plan has no scenes.');
  });

  test('a function as the result is refused', async () => {
    const err = await failure(run('function($x) { $x }'));
    expect(err.message).toBe("The transform's result is not a JSON value: it is a function.");
    expect((await failure(run('$uppercase'))).message).toBe(
      "The transform's result is not a JSON value: it is a function.",
    );
    // Inside an object, a function is left out, as JSON.stringify leaves out a JavaScript one.
    expect(await run('{"f": function($x) { $x }, "g": $sum, "n": 1}')).toEqual({ n: 1 });
  });

  test('a never-ending recursion is stopped at the limit, the main thread stays responsive, and the next evaluation works', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 50);
    const started = Date.now();
    try {
      const err = await failure(run('(function($f){ $f($f) })(function($f){ $f($f) })', data, 1000));
      expect(err.message).toBe('The transform took longer than 1000 ms.');
    } finally {
      clearInterval(ticker);
    }
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(1500);
    // About 20 ticks in a second; a blocked event loop would give none.
    expect(ticks).toBeGreaterThanOrEqual(10);

    expect(await run('$count(steps.plan.output.titles)')).toBe(3);
    // Another kind of endless loop, then work again.
    const again = await failure(run('( $loop := function($n) { $loop($n + 1) }; $loop(0) )', data, 300));
    expect(again.message).toBe('The transform took longer than 300 ms.');
    expect(await run('inputs.topic')).toBe('lighthouses');
  });

  test('evaluations run side by side; one that hangs does not hold the others up', async () => {
    const hang = failure(run('( $loop := function($n) { $loop($n + 1) }; $loop(0) )', data, 800));
    const started = Date.now();
    expect(await run('steps.plan.output.titles[1]')).toBe('Storm');
    expect(Date.now() - started).toBeLessThan(700);
    expect((await hang).message).toBe('The transform took longer than 800 ms.');
  });

  test('more evaluations than processes wait their turn', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => run(`${i} * 2`)));
    expect(results).toEqual([0, 2, 4, 6, 8, 10]);
  });

  test('an input over the size limit is refused', async () => {
    const big = { text: 'x'.repeat(6 * 1024 * 1024) };
    const err = await failure(run('$length(text)', big));
    expect(err.message).toBe("The transform's input is 6 MB, more than the 5 MB limit.");
  });

  test('a result over the size limit is refused', async () => {
    const small = new TransformPool({ maxDataBytes: 1024 });
    try {
      const limited = createTransformActivities({ pool: small });
      const err = await failure(
        limited.runTransform({ expression: '$pad("", 2000, "y")', data: null, timeoutMs: 2000 }),
      );
      expect(err.message).toBe("The transform's result is 2 KB, more than the 1 KB limit.");
    } finally {
      small.close();
    }
  });

  test('an expression that uses too much memory is stopped, and only its process dies', async () => {
    // One allocation far past the heap limit: it would abort a worker thread's whole process.
    const small = new TransformPool({ memoryMb: 64 });
    try {
      const limited = createTransformActivities({ pool: small }).runTransform;
      const huge = await failure(limited({ expression: '$length($pad("", 300000000, "y"))', data, timeoutMs: 20000 }));
      expect(huge.message).toBe('The transform used more memory than its 64 MB limit.');
      // Memory that grows step by step.
      const growing = await failure(
        limited({ expression: '$count([1..9999999].{"n": $, "s": $string($) & "-padding"})', data, timeoutMs: 20000 }),
      );
      expect(growing.message).toMatch(
        /^The transform (used more memory than its 64 MB limit|took longer than 20000 ms)\.$/,
      );
      expect(await limited({ expression: '1 + 1', data, timeoutMs: 2000 })).toBe(2);
    } finally {
      small.close();
    }
  }, 60000);

  test('a missing expression or time limit is refused', async () => {
    expect((await failure(run('  '))).message).toBe('The transform has no expression.');
    expect((await failure(runTransform({ expression: '1', data: null, timeoutMs: 0 }))).message).toMatch(
      /time limit is not a positive number/,
    );
  });
});

describe('the compiled build (dist/)', () => {
  const built = path.resolve(__dirname, '..', '..', 'dist', 'activities', 'transform-activities.js');

  test('evaluates, stops an endless expression, and lets its process exit while a child is idle', () => {
    if (!existsSync(built))
      throw new Error('dist/activities/transform-activities.js is missing: run `npm run build` first');
    const script = `
      const { createTransformActivities } = require(${JSON.stringify(built)});
      const { runTransform } = createTransformActivities();
      (async () => {
        const lines = await runTransform({
          expression: '$map(lines, function($v, $i) { ($i+1) & ". " & $v })',
          data: { lines: ['a', 'b'] },
          timeoutMs: 2000,
        });
        const failure = await runTransform({
          expression: '(function($f){ $f($f) })(function($f){ $f($f) })',
          data: null,
          timeoutMs: 500,
        }).catch((e) => ({ type: e.type, message: e.message }));
        const after = await runTransform({ expression: 'a.b', data: { a: { b: 1 } }, timeoutMs: 2000 });
        process.stdout.write(JSON.stringify({ lines, failure, after }));
      })();
    `;
    const started = Date.now();
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      lines: ['1. a', '2. b'],
      failure: { type: 'transform_failed', message: 'The transform took longer than 500 ms.' },
      after: 1,
    });
    // The idle evaluation process (kept for a minute) does not hold the worker process open.
    expect(Date.now() - started).toBeLessThan(15000);
  });
});
