import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { ErrorType, errorStatus, isErrorType } from '../../workflows/errors';

/** Every error the API answers with: one status, one type, one message, in OpenAI's envelope. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly type: ErrorType,
    message: string,
  ) {
    super(message);
    this.status = errorStatus[type];
  }

  toJSON(): { error: { message: string; type: string } } {
    return { error: { message: this.message, type: this.type } };
  }
}

export const badRequest = (message: string) => new ApiError(ErrorType.InvalidRequest, message);

/** Maps a workflow's failure (typed ApplicationFailure, cancellation) to the API's error. */
export function fromWorkflowFailure(err: unknown): ApiError {
  const cause = err instanceof WorkflowFailedError ? err.cause : err;
  if (cause instanceof ApplicationFailure && isErrorType(cause.type)) return new ApiError(cause.type, cause.message);
  if (cause instanceof CancelledFailure) return new ApiError(ErrorType.Canceled, 'The request was canceled.');
  if (err instanceof ApiError) return err;
  return new ApiError(ErrorType.Internal, 'The request failed inside the platform.');
}
