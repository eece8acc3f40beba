/**
 * The one map of error types: workflows raise them as non-retryable ApplicationFailures,
 * the API maps each to exactly one HTTP status in the OpenAI error envelope.
 */
export const ErrorType = {
  InvalidRequest: 'invalid_request_error',
  NotAuthenticated: 'not_authenticated',
  PermissionDenied: 'permission_denied',
  NotFound: 'not_found',
  MethodNotAllowed: 'method_not_allowed',
  NoProvider: 'no_provider',
  WrongServiceType: 'wrong_service_type',
  RequestTooLarge: 'request_too_large',
  UnsupportedMedia: 'unsupported_media_type',
  Conflict: 'conflict',
  InvalidState: 'invalid_state',
  IdempotencyKeyReused: 'idempotency_key_reused',
  RangeNotSatisfiable: 'range_not_satisfiable',
  UpstreamError: 'upstream_error',
  Canceled: 'canceled',
  Unavailable: 'service_unavailable',
  AsyncDisabled: 'async_disabled',
  Internal: 'internal_error',
} as const;

export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

export const errorStatus: Readonly<Record<ErrorType, number>> = {
  invalid_request_error: 400,
  not_authenticated: 401,
  permission_denied: 403,
  not_found: 404,
  method_not_allowed: 405,
  no_provider: 404,
  wrong_service_type: 400,
  request_too_large: 413,
  unsupported_media_type: 415,
  conflict: 409,
  invalid_state: 409,
  idempotency_key_reused: 422,
  range_not_satisfiable: 416,
  upstream_error: 502,
  canceled: 499,
  service_unavailable: 503,
  async_disabled: 503,
  internal_error: 500,
};

export function isErrorType(value: unknown): value is ErrorType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(errorStatus, value);
}

/**
 * Failure types an agent reports that mean "this provider could not do it, another may":
 * the workflow fails over to the next provider instead of failing the request.
 */
export const AgentFailoverType = {
  Unreachable: 'upstream_unreachable',
  Shutdown: 'agent_shutdown',
  Disconnected: 'agent_disconnected',
} as const;

/**
 * Failure types an agent reports when the platform's own storage failed it (a presigned upload
 * or download): neither the member's provider nor another one is to blame, so the request ends
 * with 503 `service_unavailable` instead of a 502 naming the provider.
 */
export const AgentStorageFailureType = 'storage_unavailable';

/** A webhook the platform will not call (its address is no longer public): not retried. */
export const WebhookRefusedType = 'webhook_refused';

export type AgentFailoverType = (typeof AgentFailoverType)[keyof typeof AgentFailoverType];

export function isFailoverType(value: unknown): value is AgentFailoverType {
  return Object.values(AgentFailoverType).includes(value as AgentFailoverType);
}
