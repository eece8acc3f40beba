import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import {
  AgentFailoverType,
  AgentStorageFailureType,
  ErrorType,
  isErrorType,
  isFailoverType,
  type ErrorType as ErrorTypeT,
} from './errors';

export interface ClassifiedFailure {
  /** True when another provider may succeed where this one could not. */
  failover: boolean;
  /** True when the provider never began the task, so nothing can have reached the client. */
  neverStarted: boolean;
  type: ErrorTypeT;
  message: string;
}

/** Decides what a provider task's failure means for the request. Pure, so replay-safe. */
export function classifyProviderFailure(err: unknown): ClassifiedFailure {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof TimeoutFailure) {
    const neverStarted = cause.timeoutType === 'SCHEDULE_TO_START';
    const message = `provider timed out (${timeoutName(cause)})`;
    return { failover: true, neverStarted, type: ErrorType.UpstreamError, message };
  }
  if (cause instanceof ApplicationFailure) {
    if (isFailoverType(cause.type)) {
      const neverStarted = cause.type === AgentFailoverType.Disconnected;
      return { failover: true, neverStarted, type: ErrorType.UpstreamError, message: cause.message };
    }
    if (cause.type === AgentStorageFailureType) {
      // The platform's storage failed the agent's transfer: not the provider's fault, and no other
      // provider would fare better. The message names no internal address.
      const message = 'Storage is temporarily unavailable; retry shortly.';
      return { failover: false, neverStarted: false, type: ErrorType.Unavailable, message };
    }
    const type = isErrorType(cause.type) ? cause.type : ErrorType.UpstreamError;
    return { failover: false, neverStarted: false, type, message: cause.message };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { failover: true, neverStarted: false, type: ErrorType.UpstreamError, message };
}

const TIMEOUT_NAMES: Record<NonNullable<TimeoutFailure['timeoutType']>, string> = {
  START_TO_CLOSE: 'task took too long',
  SCHEDULE_TO_START: 'agent did not pick the task up',
  SCHEDULE_TO_CLOSE: 'task took too long',
  HEARTBEAT: 'agent stopped heartbeating',
};

function timeoutName(failure: TimeoutFailure): string {
  return failure.timeoutType ? TIMEOUT_NAMES[failure.timeoutType] : 'timeout';
}

/** Re-raises a classified failure as the non-retryable, typed failure the API maps to HTTP. */
export function toApplicationFailure(failure: Pick<ClassifiedFailure, 'type' | 'message'>): ApplicationFailure {
  return ApplicationFailure.create({ type: failure.type, message: failure.message, nonRetryable: true });
}
