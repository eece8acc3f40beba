import { decode, toCurl, type RecordedRequest } from './curl';

/**
 * Reads Schemathesis' NDJSON event stream (`--report ndjson`) and JSON run report (`--report json`)
 * into what the fuzz test asserts and prints: every request it sent with its status, every failed
 * check with a curl that reproduces it, and every error (a request that timed out, an operation it
 * could not test, a part of the document it had to skip).
 */

interface RecordedResponse {
  status_code: number;
  content?: { $base64: string };
}

interface Interaction {
  request: RecordedRequest;
  response?: RecordedResponse | null;
}

interface CheckResult {
  name: string;
  status: string;
  failure_info?: { failure: { code?: string; title: string; message: string } };
}

interface Recorder {
  label: string;
  checks?: Record<string, CheckResult[]>;
  interactions?: Record<string, Interaction>;
}

export interface Failure {
  /** The operation as the OpenAPI document names it, e.g. `POST /v1/chat/completions`. */
  operation: string;
  /** The request actually sent (the coverage phase also tries methods the document does not list). */
  request: string;
  check: string;
  title: string;
  message: string;
  status: number | null;
  body: string;
  curl: string;
}

export interface FuzzError {
  operation: string;
  type: string;
  message: string;
  /** For a request that never got an answer: the shortest such request, as curl. */
  curl?: string;
}

export interface FuzzSummary {
  /** Labels of the operations that got at least one request, e.g. `POST /v1/chat/completions`. */
  operations: string[];
  requests: number;
  /** Responses per status code; `no response` counts requests that timed out or lost their connection. */
  statuses: Record<string, number>;
  failures: Failure[];
  errors: FuzzError[];
  /** Every warning Schemathesis raised, by name, with the operations it names. */
  warnings: Record<string, string[]>;
}

/**
 * Warnings that mean part of the document went untested or the run is set up wrong; the others
 * (mostly-4xx operations, missing test data) describe the generated data and are only printed.
 */
export const FAILING_WARNINGS = [
  'unresolvable_reference',
  'unsupported_regex',
  'missing_deserializer',
  'method_not_allowed',
  'base_url_mismatch',
  'unused_openapi_auth',
  'dictionary_mismatch',
];

export function summarize(ndjson: string, runReport: string | undefined, apiKey: string): FuzzSummary {
  const operations = new Set<string>();
  const statuses: Record<string, number> = {};
  const failures = new Map<string, Failure>();
  const unanswered = new Map<string, string[]>();
  const errorEvents: FuzzError[] = [];
  let requests = 0;

  for (const line of ndjson.split('\n')) {
    const event = parseEvent(line);
    if (event.NonFatalError) {
      const { label, value } = event.NonFatalError;
      errorEvents.push({ operation: label, type: value.type, message: value.message });
    }
    if (!event.ScenarioFinished) continue;
    const { recorder } = event.ScenarioFinished;
    const interactions = recorder.interactions ?? {};
    // Stateful scenarios are labelled "Stateful tests": their requests count, their label is no operation.
    if (Object.keys(interactions).length > 0 && /^[A-Z]+ \//.test(recorder.label)) operations.add(recorder.label);
    for (const interaction of Object.values(interactions)) {
      requests += 1;
      const status = interaction.response ? String(interaction.response.status_code) : 'no response';
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (!interaction.response) {
        unanswered.set(recorder.label, [
          ...(unanswered.get(recorder.label) ?? []),
          toCurl(interaction.request, apiKey),
        ]);
      }
    }
    for (const [caseId, results] of Object.entries(recorder.checks ?? {})) {
      const interaction = interactions[caseId];
      for (const result of results) {
        if (result.status !== 'failure' || !interaction) continue;
        const failure = toFailure(recorder.label, result, interaction, apiKey);
        // One entry per operation, method, check, status and message; the shortest reproduction wins,
        // which is usually the one Hypothesis shrank.
        const id = [failure.operation, failure.request.split(' ')[0], failure.check, failure.status, failure.message];
        const known = failures.get(id.join('|'));
        if (!known || failure.curl.length < known.curl.length) failures.set(id.join('|'), failure);
      }
    }
  }

  const errors = new Map<string, FuzzError>();
  for (const error of errorEvents) {
    const id = [error.operation, error.type, error.message].join('|');
    const shortest = unanswered.get(error.operation)?.sort((a, b) => a.length - b.length)[0];
    if (!errors.has(id))
      errors.set(id, /Timeout|Connection/.test(error.type) && shortest ? { ...error, curl: shortest } : error);
  }
  const warnings = readWarnings(runReport);
  for (const [name, labels] of Object.entries(warnings)) {
    if (!FAILING_WARNINGS.includes(name)) continue;
    for (const operation of labels)
      errors.set(`${operation}|${name}`, { operation, type: `warning ${name}`, message: '' });
  }

  return {
    operations: [...operations].sort(),
    requests,
    statuses: Object.fromEntries(Object.entries(statuses).sort(([a], [b]) => a.localeCompare(b))),
    failures: [...failures.values()].sort((a, b) => (a.operation + a.check).localeCompare(b.operation + b.check)),
    errors: [...errors.values()],
    warnings,
  };
}

interface FuzzEvent {
  NonFatalError?: { label: string; value: { type: string; message: string } };
  ScenarioFinished?: { recorder: Recorder };
}

/** A run killed by the process timeout can leave its last line half written. */
function parseEvent(line: string): FuzzEvent {
  try {
    return line.trim() ? (JSON.parse(line) as FuzzEvent) : {};
  } catch {
    return {};
  }
}

function readWarnings(runReport: string | undefined): Record<string, string[]> {
  const all = runReport ? ((JSON.parse(runReport) as { warnings?: Record<string, unknown> }).warnings ?? {}) : {};
  return Object.fromEntries(
    Object.entries(all).filter((entry): entry is [string, string[]] => Array.isArray(entry[1]) && entry[1].length > 0),
  );
}

function toFailure(operation: string, result: CheckResult, interaction: Interaction, apiKey: string): Failure {
  const failure = result.failure_info?.failure;
  const url = new URL(interaction.request.uri);
  return {
    operation,
    request: `${interaction.request.method} ${url.pathname}${url.search}`,
    check: result.name,
    title: failure ? `${failure.code ? `${failure.code} ` : ''}${failure.title}` : result.name,
    message: failure?.message ?? '',
    status: interaction.response?.status_code ?? null,
    body: decode(interaction.response?.content).toString('utf8'),
    curl: toCurl(interaction.request, apiKey),
  };
}
