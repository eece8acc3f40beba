import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import type { ProviderTaskResult } from '../../workflows/agent-protocol';
import { signRelay } from '../gateway/task-token';

/**
 * Pipes an agent's streamed body to the API instance that holds the client, chunk by chunk.
 * Resolves with that instance's answer status (200 delivered, 409 nobody waiting, 499 client left).
 */
export function relayStream(relayUrl: string, streamId: string, source: Readable, secret: string): Promise<number> {
  const target = new URL(`${relayUrl}/internal/streams/${encodeURIComponent(streamId)}`);
  const send = target.protocol === 'https:' ? httpsRequest : request;
  return new Promise<number>((resolve, reject) => {
    const req = send(target, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'x-relay-signature': signRelay(streamId, secret) },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 502);
    });
    req.on('error', reject);
    req.on('socket', (socket) => socket.setNoDelay(true));
    source.on('error', (err) => req.destroy(err));
    source.pipe(req);
  });
}

/** Sends a buffered result to the API instance that holds the client; true when it was waiting. */
export async function relayResult(
  relayUrl: string,
  id: string,
  result: ProviderTaskResult,
  secret: string,
): Promise<boolean> {
  const res = await fetch(`${relayUrl}/internal/results/${encodeURIComponent(id)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-relay-signature': signRelay(id, secret) },
    body: JSON.stringify(result),
  });
  return res.status === 204;
}
