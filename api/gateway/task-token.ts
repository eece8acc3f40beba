import { createHmac, timingSafeEqual } from 'node:crypto';
import type { StreamTarget } from '../../workflows/inference-contract';

/** What a token handed to an agent proves: which member's provider holds which Temporal task. */
export interface TaskClaims {
  /** Member owning the provider. */
  m: string;
  /** Provider the task was polled for. */
  p: string;
  /** Temporal task token, base64. */
  t: string;
  /** The request the task belongs to (names its stored answer, if too large to travel inline). */
  q?: string;
  /** Set for jobs: the answer is stored whatever its size. */
  k?: 1;
  /** Where the client waits for a streamed body, if it streams. */
  s?: StreamTarget;
  /** Where a buffered client waits for the answer. */
  r?: StreamTarget;
  /** The request's workflow id (with `r`: an answer the client got but Temporal refused stops it). */
  w?: string;
}

/** Temporal task tokens do not name their queue, so the gateway signs its own envelope around them. */
export function signTaskToken(claims: TaskClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${mac(payload, secret)}`;
}

export function verifyTaskToken(token: string, secret: string): TaskClaims | null {
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(mac(payload, secret));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TaskClaims;
  } catch {
    return null;
  }
}

/** Signs relay calls between API replicas. */
export function signRelay(streamId: string, secret: string): string {
  return mac(`relay:${streamId}`, secret);
}

export function verifyRelay(streamId: string, signature: string, secret: string): boolean {
  const expected = Buffer.from(signRelay(streamId, secret));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function mac(data: string, secret: string): string {
  return createHmac('sha256', secret).update(data).digest('base64url');
}
