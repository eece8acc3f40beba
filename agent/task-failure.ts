import type { AgentTaskFailure } from '../workflows/agent-protocol';

/** The failure types the gateway accepts from an agent (schemas/agent-task-failure.schema.json). */
export type FailureType = AgentTaskFailure['type'];
export type FailureReport = AgentTaskFailure;

/** A task this agent cannot do, reported to the platform as it is. */
export class TaskFailure extends Error {
  constructor(
    readonly type: FailureType,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }

  report(): FailureReport {
    return this.status === undefined
      ? { type: this.type, message: this.message }
      : { type: this.type, message: this.message, status: this.status };
  }
}

/** A URL fit for messages and logs: a presigned URL's query string is a credential. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

/** An error's message, with `url`'s query string scrubbed in case a library echoed it. */
export function describe(err: unknown, url?: string): string {
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  const text = err instanceof Error ? `${err.message}${cause}` : String(err);
  if (!url) return text;
  const query = url.indexOf('?');
  return query < 0 ? text : text.split(url).join(safeUrl(url)).split(url.slice(query)).join('');
}
