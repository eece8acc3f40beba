import { dependencyOf } from '../../clients/dependency-tag';
import { ErrorType } from '../../workflows/errors';
import { ApiError, unavailable } from './api-error';

/** Socket-level failures: the peer is down or unreachable, whoever it is. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** gRPC UNAVAILABLE and DEADLINE_EXCEEDED: Temporal's frontend is down or did not answer in time. */
const GRPC_DOWN = new Set([14, 4]);

export type Dependency = 'workflow service' | 'database' | 'storage' | 'platform service';

const SUBJECT: Record<Dependency, string> = {
  'workflow service': 'The workflow service',
  database: 'The database',
  storage: 'Storage',
  'platform service': 'A platform service',
};

export const unavailableBecause = (service: Dependency) =>
  unavailable(`${SUBJECT[service]} is temporarily unavailable; retry shortly.`);

/** Which of the platform's own dependencies an error says is down, if any. */
export function downDependency(err: unknown): Dependency | undefined {
  for (const e of causes(err)) {
    const code = (e as { code?: unknown }).code;
    const message = e instanceof Error ? e.message : '';
    if (typeof code === 'number' && GRPC_DOWN.has(code) && 'details' in (e as object)) return 'workflow service';
    if (typeof code === 'string' && (/^08/.test(code) || /^57P0[123]$/.test(code) || code === '53300')) {
      return 'database';
    }
    if (/Connection terminated|timeout exceeded when trying to connect|connection error/i.test(message)) {
      return 'database';
    }
    if (typeof code === 'string' && NETWORK_CODES.has(code))
      return dependencyOf(err) ?? dependencyOf(e) ?? serviceOf(e);
  }
  return undefined;
}

/** What the platform's own dependencies throw when they are down, as a prompt 503 a client can retry. */
export function dependencyFailure(err: unknown): ApiError | undefined {
  const service = downDependency(err);
  return service ? unavailableBecause(service) : undefined;
}

/**
 * Postgres data exceptions (SQLSTATE class 22: a NUL byte, an out-of-range integer) mean input
 * reached a query unvalidated. The client still gets the 400 its input deserves; the caller logs it.
 */
export function unvalidatedInput(err: unknown): ApiError | undefined {
  for (const e of causes(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code) && 'severity' in (e as object)) {
      return new ApiError(ErrorType.InvalidRequest, 'A value in the request is out of range or malformed.');
    }
  }
  return undefined;
}

function* causes(err: unknown): Generator<unknown> {
  let current: unknown = err;
  for (let depth = 0; current && depth < 6; depth++) {
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}

/** Which dependency a socket error came from, by the library that threw it (only for the message). */
function serviceOf(err: unknown): Dependency {
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  if (/node_modules[\\/](pg|pg-pool|kysely)[\\/]/.test(stack)) return 'database';
  if (/node_modules[\\/]minio[\\/]/.test(stack)) return 'storage';
  return 'platform service';
}
