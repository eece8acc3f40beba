import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';

const dir = path.join(__dirname, 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

test('committed histories cover completed, failed-over, failed and canceled runs, of every workflow', () => {
  const outcomes = new Set(files.map((f) => f.replace(/^.*-(\w+)\.json$/, '$1')));
  expect([...outcomes].sort()).toEqual(expect.arrayContaining(['cancelled', 'completed', 'failed']));
  expect(files.length).toBeGreaterThanOrEqual(10);
  const types = new Set(
    files.map((f) => {
      const history = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as {
        events: { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }[];
      };
      return history.events[0].workflowExecutionStartedEventAttributes?.workflowType?.name;
    }),
  );
  expect([...types].sort()).toEqual(['batchWorkflow', 'inferenceWorkflow', 'runWorkflow']);
  // Jobs (async, on the orchestration queue) and sync calls both.
  expect(files.some((f) => f.startsWith('jobs-'))).toBe(true);
});

// Replaying every recorded history through today's workflow code catches non-determinism
// (a reordered activity, a new timer) before it breaks workflows already running in production.
test.each(files)('%s replays deterministically', async (file) => {
  const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
  await Worker.runReplayHistory(
    { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE as string } },
    history,
    `replay-${file}`,
  );
});
