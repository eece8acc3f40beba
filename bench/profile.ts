/**
 * Where the added latency goes: for a few sequential platform calls, collects wall-clock marks
 * from the client, the API (workflow start and result, by wrapping WorkflowClient in this
 * process), the agent (by wrapping global fetch, which only the in-process agent uses), and
 * the workflow's own Temporal history, then reports the median time of each step.
 * Only active during the profile phase, so the main measurements run unpatched code.
 */
import { WorkflowClient, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { BenchClient, wallNow, type Mode, type Target } from './client';
import { median, percentile } from './stats';

type Marks = Map<string, number>;

export interface ProfileStep {
  step: string;
  /** Median time since the client sent the request. */
  atMs: number;
  /** Median and p95 time since the previous step. */
  stepMs: number;
  stepP95Ms: number;
  /** In how many of the profiled requests this mark was seen. */
  seen: number;
}

export interface Profile {
  mode: Mode;
  requests: number;
  steps: ProfileStep[];
}

const EventType = temporal.api.enums.v1.EventType;

/** History events worth a mark, with how to name their n-th occurrence. */
const HISTORY_MARKS: Partial<Record<number, string>> = {
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED]: 'temporal: WorkflowExecutionStarted',
  [EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED]: 'worker: WorkflowTaskStarted',
  [EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED]: 'worker: WorkflowTaskCompleted',
  [EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]: 'temporal: ActivityTaskScheduled (provider queue)',
  [EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED]: 'temporal: ActivityTaskStarted (matched to a waiting poll)',
  [EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED]: 'temporal: ActivityTaskCompleted',
  [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED]: 'temporal: WorkflowExecutionCompleted',
};

/** What each step's duration mostly consists of, printed beside it. */
export const STEP_NOTES: Record<string, string> = {
  'api: workflow.start() called': 'HTTP parse, auth (Postgres key lookup), JSON-schema validation',
  'api: workflow.start() returned': 'StartWorkflowExecution gRPC round trip',
  'temporal: WorkflowExecutionStarted': '(server-side event time; before the start RPC returns)',
  'worker: WorkflowTaskStarted #1': 'workflow task matched to the worker poller',
  'worker: WorkflowTaskCompleted #1': 'workflow activation + local activity resolveProviders (Postgres reads + INSERT)',
  'temporal: ActivityTaskScheduled (provider queue)': 'WFT completion recorded',
  'temporal: ActivityTaskStarted (matched to a waiting poll)': 'matching to the gateway long-poll of the agent',
  'agent: task received': 'PollActivityTaskQueue response -> gateway -> HTTP to the agent',
  'agent: upstream call': 'agent parses the task',
  'agent: upstream headers': 'demo provider (same work as the direct call)',
  'agent: complete sent': 'agent reads and parses the upstream body',
  'agent: stream POST opened': 'agent opens the streaming POST to the API',
  'client: first content chunk': 'stream relayed API -> client',
  'temporal: ActivityTaskCompleted': 'API route + RespondActivityTaskCompleted',
  'agent: complete acknowledged': 'RPC answer -> API -> agent',
  'worker: WorkflowTaskStarted #2': 'workflow task matched to the worker',
  'worker: WorkflowTaskCompleted #2': 'workflow activation + local activity finishRequest (Postgres UPDATE)',
  'temporal: WorkflowExecutionCompleted': 'WFT completion recorded',
  'api: result() returned': 'GetWorkflowExecutionHistory long-poll wakes up and returns',
  'client: response complete': 'Koa writes the body -> client',
};

/** Patches the in-process API's WorkflowClient and the agent's fetch; returns the restore function. */
function instrument(current: () => Marks | undefined, apiBase: string): () => void {
  const mark = (name: string) => {
    const marks = current();
    if (marks && !marks.has(name)) marks.set(name, wallNow());
  };
  const proto = WorkflowClient.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const originalStart = proto.start;
  const originalResult = proto.result;
  const originalFetch = globalThis.fetch;

  proto.start = async function (this: unknown, ...args: unknown[]) {
    mark('api: workflow.start() called');
    const handle = await originalStart.apply(this, args);
    mark('api: workflow.start() returned');
    return handle;
  };
  proto.result = async function (this: unknown, ...args: unknown[]) {
    const value = await originalResult.apply(this, args);
    mark('api: result() returned');
    return value;
  };
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const isApi = url.startsWith(apiBase);
    if (isApi && url.endsWith('/complete')) mark('agent: complete sent');
    if (isApi && url.endsWith('/stream')) mark('agent: stream POST opened');
    if (!isApi && url.includes('/v1/')) mark('agent: upstream call');
    const res = await originalFetch(input, init);
    if (isApi && url.includes('/agent/tasks?') && res.status === 200) mark('agent: task received');
    if (isApi && url.endsWith('/complete')) mark('agent: complete acknowledged');
    if (!isApi && url.includes('/v1/')) mark('agent: upstream headers');
    return res;
  };
  return () => {
    proto.start = originalStart;
    proto.result = originalResult;
    globalThis.fetch = originalFetch;
  };
}

function timestampMs(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): number | undefined {
  if (!ts) return undefined;
  const s = ts.seconds as number | { toNumber(): number } | string | null | undefined;
  const seconds = typeof s === 'object' && s !== null ? s.toNumber() : Number(s ?? 0);
  return seconds * 1000 + (ts.nanos ?? 0) / 1e6;
}

async function historyMarks(client: Client, workflowId: string, marks: Marks): Promise<void> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const counts = new Map<number, number>();
  for (const event of history.events ?? []) {
    const type = Number(event.eventType ?? 0);
    const name = HISTORY_MARKS[type];
    const at = timestampMs(event.eventTime);
    if (!name || at === undefined) continue;
    const n = (counts.get(type) ?? 0) + 1;
    counts.set(type, n);
    const isWft =
      type === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED || type === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED;
    marks.set(isWft ? `${name} #${n}` : name, at);
  }
}

/** Runs `requests` sequential calls through the platform with every mark recorded. */
export async function profilePlatform(
  client: BenchClient,
  target: Target,
  temporalClient: Client,
  mode: Mode,
  requests: number,
): Promise<Profile> {
  let current: Marks | undefined;
  const all: Marks[] = [];
  const restore = instrument(() => current, target.baseUrl);
  try {
    for (let i = 0; i < requests; i++) {
      const marks: Marks = new Map();
      current = marks;
      const sample = await client.call(target, mode);
      current = undefined;
      marks.set('client: sent', sample.sentAt);
      if (sample.firstAt !== undefined) marks.set('client: first content chunk', sample.firstAt);
      marks.set(mode === 'sync' ? 'client: response complete' : 'client: stream complete', sample.doneAt);
      // The response can beat the agent's bookkeeping by a hair; let it land before reading marks.
      await new Promise((r) => setTimeout(r, 5));
      if (sample.requestId) await historyMarks(temporalClient, `chat-${sample.requestId}`, marks);
      all.push(marks);
    }
  } finally {
    restore();
  }
  return { mode, requests, steps: toSteps(all) };
}

function toSteps(all: Marks[]): ProfileStep[] {
  const names = [...new Set(all.flatMap((m) => [...m.keys()]))];
  const offsets = new Map(
    names.map((name) => [
      name,
      all.filter((m) => m.has(name)).map((m) => (m.get(name) as number) - (m.get('client: sent') as number)),
    ]),
  );
  const ordered = names.sort((a, b) => median(offsets.get(a) as number[]) - median(offsets.get(b) as number[]));
  return ordered.map((name, i) => {
    const prev = ordered[i - 1];
    const deltas = prev
      ? all.filter((m) => m.has(name) && m.has(prev)).map((m) => (m.get(name) as number) - (m.get(prev) as number))
      : [0];
    const sorted = [...deltas].sort((a, b) => a - b);
    return {
      step: name,
      atMs: median(offsets.get(name) as number[]),
      stepMs: percentile(sorted, 50),
      stepP95Ms: percentile(sorted, 95),
      seen: (offsets.get(name) as number[]).length,
    };
  });
}
