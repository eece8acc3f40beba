/**
 * Where the added latency goes: for a few sequential platform calls, collects wall-clock marks
 * from the client, the API (workflow start and result, by wrapping WorkflowClient in this
 * process), the agent (by wrapping global fetch, which only the in-process agent uses), and
 * the workflow's own Temporal history, then reports the median time of each step.
 * Only active during the profile phase, so the main measurements run unpatched code.
 */
import { WorkflowClient, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import * as httpTransport from '../agent/http-transport';
import { ProviderAgent } from '../agent/provider-agent';
import { AgentGateway } from '../api/gateway/agent-gateway';
import { StreamHub } from '../api/streams/stream-hub';
import { wallNow, type BenchClient, type Mode, type Target } from './client';
import { setQueryHook } from './stack';
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

/** What each mark is; the step before it is the time since the previous row. */
export const MARK_NOTES: Record<string, string> = {
  'client: sent': 'benchmark client writes the request',
  'api: workflow.start() called': 'after Koa, auth (cached key lookup) and JSON-schema validation',
  'temporal: WorkflowExecutionStarted': 'server-side event time of the start',
  'api: workflow.start() returned': 'StartWorkflowExecution answered',
  'worker: WorkflowTaskStarted #1': "first workflow task, eager: in the start's answer to the API's worker",
  'db: SELECT #1 sent': 'API reads the registry: providers for the first attempt',
  'db: SELECT #1 done': '',
  'db: INSERT #2 sent': "activity recordRequest: the request's row, beside the dispatch",
  'db: INSERT #2 done': '',
  'worker: WorkflowTaskCompleted #1': 'workflow task 1 done: schedules recordRequest + the provider task',
  'temporal: ActivityTaskScheduled (provider queue)': 'task on provider.<id>',
  'temporal: ActivityTaskStarted (matched to a waiting poll)':
    "task handed to the gateway's waiting PollActivityTaskQueue",
  'api: task polled from Temporal': "the gateway's PollActivityTaskQueue returned",
  'agent: task received': 'poll answered API -> agent over HTTP',
  'api: answer handed to the waiting client': 'complete route: token, body and schema checked',
  'api: RespondActivityTaskCompleted sent': 'the gateway relays the answer to Temporal',
  'agent: upstream call': 'agent calls the demo provider',
  'agent: upstream headers': 'demo provider answered (this is the direct call)',
  'agent: stream POST opened': 'agent starts streaming the body to the API',
  'api: agent stream attached to the waiting client': 'API matches the agent stream to the client request',
  'client: first content chunk': 'time to first token at the client',
  'client: stream complete': '',
  'agent: complete sent': 'agent posts the result to the API',
  'temporal: ActivityTaskCompleted': 'API relayed RespondActivityTaskCompleted',
  'agent: complete acknowledged': 'API answered the agent',
  'worker: WorkflowTaskStarted #2': 'next workflow task (recordRequest or the provider task done)',
  'db: SELECT #3 sent': "the agent's next poll: the API checks it owns the provider",
  'db: SELECT #3 done': '',
  'db: INSERT #4 sent': 'local activity finishRequest: the outcome (an upsert)',
  'db: INSERT #4 done': '',
  'worker: WorkflowTaskCompleted #2': '',
  'temporal: WorkflowExecutionCompleted': '',
  'api: result() returned': "API's GetWorkflowExecutionHistory long-poll returned",
  'client: response complete': 'client has the whole body',
};

/**
 * Wraps, for the profile phase only: the API's WorkflowClient (start, result), the API's stream
 * hub and agent gateway, the agent's task runner and its fetch calls (upstream, complete, stream),
 * and the Postgres queries of the API and its in-process worker (one pool). Every mark goes to the
 * one request in flight (the profile is sequential and waits for each request to settle
 * completely). Returns the restore function.
 */
function instrument(current: () => Marks | undefined, apiBase: string): () => void {
  const mark = (name: string) => {
    const marks = current();
    if (marks && !marks.has(name)) marks.set(name, wallNow());
  };
  type Method = (...args: unknown[]) => unknown;
  const restores: (() => void)[] = [];
  const wrap = (
    target: object,
    method: string,
    before?: (args: unknown[]) => void,
    after?: (args: unknown[]) => void,
  ) => {
    const holder = target as Record<string, Method>;
    const original = holder[method];
    holder[method] = async function (this: unknown, ...args: unknown[]) {
      before?.(args);
      const value = await original.apply(this, args);
      after?.(args);
      return value;
    };
    restores.push(() => {
      holder[method] = original;
    });
  };

  wrap(
    WorkflowClient.prototype,
    'start',
    () => mark('api: workflow.start() called'),
    () => mark('api: workflow.start() returned'),
  );
  wrap(WorkflowClient.prototype, 'result', undefined, () => mark('api: result() returned'));
  wrap(StreamHub.prototype, 'attach', () => mark('api: agent stream attached to the waiting client'));
  wrap(AgentGateway.prototype, 'poll', undefined, () => mark('api: task polled from Temporal'));
  wrap(AgentGateway.prototype, 'complete', () => mark('api: RespondActivityTaskCompleted sent'));
  const hub = StreamHub.prototype as unknown as Record<string, Method>;
  const deliver = hub.deliver;
  hub.deliver = function (this: unknown, ...args: unknown[]) {
    mark('api: answer handed to the waiting client');
    return deliver.apply(this, args);
  };
  restores.push(() => {
    hub.deliver = deliver;
  });
  // Private at compile time, a plain prototype method at run time; called once per polled task.
  wrap(ProviderAgent.prototype, 'run', () => mark('agent: task received'));

  // Numbered per request, so the same query of every request has the same mark.
  let counted: Marks | undefined;
  let queries = 0;
  setQueryHook((verb, phase) => {
    const marks = current();
    if (!marks) return;
    if (marks !== counted) {
      counted = marks;
      queries = 0;
    }
    if (phase === 'start') queries++;
    mark(`db: ${verb} #${queries} ${phase === 'start' ? 'sent' : 'done'}`);
  });
  restores.push(() => setQueryHook(undefined));

  // Every request of the agent goes through its transport's send(), read off the module at each call.
  const transport = httpTransport as { send: typeof httpTransport.send };
  const originalSend = transport.send;
  transport.send = async (url: string, init?: httpTransport.SendInit): Promise<Response> => {
    const isApi = url.startsWith(apiBase);
    const upstream = !isApi && url.includes('/v1/');
    if (isApi && url.endsWith('/complete')) mark('agent: complete sent');
    if (isApi && url.endsWith('/stream')) mark('agent: stream POST opened');
    if (upstream) mark('agent: upstream call');
    const res = await originalSend(url, init);
    if (isApi && url.endsWith('/complete')) mark('agent: complete acknowledged');
    if (upstream) mark('agent: upstream headers');
    return res;
  };
  restores.push(() => {
    transport.send = originalSend;
  });
  return () => restores.reverse().forEach((restore) => restore());
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
  agent: ProviderAgent,
  mode: Mode,
  requests: number,
): Promise<Profile> {
  let current: Marks | undefined;
  const all: Marks[] = [];
  // Workflows of the load runs may still be finishing (streams end before their workflow does).
  const quietBy = Date.now() + 10_000;
  while (agent.activeTasks > 0 && Date.now() < quietBy) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 1000));
  const restore = instrument(() => current, target.baseUrl);
  try {
    for (let i = 0; i < requests; i++) {
      const marks: Marks = new Map();
      current = marks;
      const sample = await client.call(target, mode);
      marks.set('client: sent', sample.sentAt);
      if (sample.firstAt !== undefined) marks.set('client: first content chunk', sample.firstAt);
      marks.set(mode === 'sync' ? 'client: response complete' : 'client: stream complete', sample.doneAt);
      if (!sample.requestId) throw new Error('the platform answered without an x-request-id');
      const workflowId = `chat-${sample.requestId}`;
      // Work that outlives the response (a streamed workflow finishing, the agent's last call)
      // still belongs to this request: wait for it before the next one starts.
      await settle(temporalClient, workflowId, agent);
      current = undefined;
      await historyMarks(temporalClient, workflowId, marks);
      all.push(marks);
    }
  } finally {
    current = undefined;
    restore();
  }
  return { mode, requests, steps: toSteps(all) };
}

async function settle(client: Client, workflowId: string, agent: ProviderAgent): Promise<void> {
  const deadline = Date.now() + 10_000;
  const handle = client.workflow.getHandle(workflowId);
  for (;;) {
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING' && agent.activeTasks === 0) break;
    if (Date.now() > deadline) throw new Error(`${workflowId} did not settle within 10 s`);
    await new Promise((r) => setTimeout(r, 2));
  }
  await new Promise((r) => setTimeout(r, 5));
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
