import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { ErrorType, errorStatus, isErrorType } from '../../workflows/errors';

export interface ErrorDetails {
  /** The offending field, as OpenAI names it (`messages[0].role`, `n`), when there is one. */
  param?: string | null;
  /** A machine-readable reason finer than the type (`missing_required_parameter`, `invalid_api_key`). */
  code?: string | null;
  /** Headers the answer carries (`Retry-After`, `Allow`). */
  headers?: Record<string, string>;
  /** Every problem of a request refused as a whole (a workflow spec): each with where it is. */
  problems?: Problem[];
}

/** One of several problems of a request: the step (of a workflow spec) and field at fault. */
export interface Problem {
  step: string | null;
  param: string | null;
  message: string;
}

/** OpenAI's error envelope: every key present, `param` and `code` null when they do not apply. */
export interface ErrorEnvelope {
  error: { message: string; type: string; param: string | null; code: string | null; problems?: Problem[] };
}

/** Every error the API answers with: one status, one type, one message, in OpenAI's envelope. */
export class ApiError extends Error {
  readonly status: number;
  readonly param: string | null;
  readonly code: string | null;
  readonly headers: Record<string, string>;
  readonly problems: Problem[] | undefined;

  constructor(
    readonly type: ErrorType,
    message: string,
    details: ErrorDetails = {},
  ) {
    super(message);
    this.status = errorStatus[type];
    this.param = details.param ?? null;
    this.code = details.code ?? null;
    this.headers = details.headers ?? {};
    this.problems = details.problems;
  }

  toJSON(): ErrorEnvelope {
    const out: ErrorEnvelope = envelope(this.type, this.message, this.param, this.code);
    if (this.problems) out.error.problems = this.problems;
    return out;
  }
}

export function envelope(type: string, message: string, param: string | null = null, code: string | null = null) {
  return { error: { message, type, param, code } };
}

export const badRequest = (message: string, details: ErrorDetails = {}) =>
  new ApiError(ErrorType.InvalidRequest, message, details);

/** 503 for a dependency that is down for now; the client may retry after `retryAfterSeconds`. */
export const unavailable = (message: string, retryAfterSeconds = 2) =>
  new ApiError(ErrorType.Unavailable, message, { headers: { 'retry-after': String(retryAfterSeconds) } });

/** Maps a workflow's failure (typed ApplicationFailure, cancellation) to the API's error. */
export function fromWorkflowFailure(err: unknown): ApiError {
  const cause = err instanceof WorkflowFailedError ? err.cause : err;
  if (cause instanceof ApplicationFailure && isErrorType(cause.type)) {
    if (cause.type === ErrorType.Unavailable) return unavailable(cause.message);
    return new ApiError(cause.type, cause.message);
  }
  if (cause instanceof CancelledFailure) return new ApiError(ErrorType.Canceled, 'The request was canceled.');
  if (err instanceof ApiError) return err;
  return new ApiError(ErrorType.Internal, 'The request failed inside the platform.');
}
