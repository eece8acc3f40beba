import { lookup as lookupCallback, promises as dns, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Longest webhook URL accepted (as browsers and most servers take). */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

export interface WebhookTargetOptions {
  /** Let loopback, private and other non-public addresses through (local and test stacks only). */
  allowPrivate: boolean;
  /** How long the host name may take to resolve before WebhookUnresolvedError (default 5 s). */
  lookupTimeoutMs?: number;
}

/**
 * A webhook URL the platform will not call: a scheme other than http(s), no host, or a host that is
 * (or resolves to) a non-public address. Permanent: delivering again cannot change the answer.
 * The message names the reason, never the URL (it may carry a token).
 */
export class WebhookRefusedError extends Error {
  override readonly name = 'WebhookRefusedError';
}

/**
 * The URL's host name did not resolve (no such name, or the resolver failed for now). At submission
 * that is a 400; at delivery it is worth retrying, as the receiver's DNS may come back.
 */
export class WebhookUnresolvedError extends Error {
  override readonly name = 'WebhookUnresolvedError';
}

/**
 * Whether the platform may POST to `url`: only `http:`/`https:` URLs with a host, whose every address
 * is a public unicast one (never loopback, RFC 1918 private, unique-local, link-local, unspecified,
 * multicast, CGNAT, reserved, nor an IPv4-mapped form of those). Throws WebhookRefusedError or
 * WebhookUnresolvedError; returns the addresses the host resolved to.
 *
 * Called when a job is submitted and again just before each delivery (the name may have been
 * re-pointed since); `sendWebhook` also checks the addresses it connects to, so a name that changes
 * between the two cannot slip through.
 */
export async function checkWebhookUrl(url: string, options: WebhookTargetOptions): Promise<LookupAddress[]> {
  const host = webhookHost(url);
  const family = isIP(host);
  let addresses: LookupAddress[];
  try {
    addresses = family ? [{ address: host, family }] : await lookupAll(host, options.lookupTimeoutMs ?? 5000);
  } catch (err) {
    throw unresolved(err);
  }
  if (addresses.length === 0) throw new WebhookUnresolvedError('The webhook host name has no address.');
  if (!options.allowPrivate) for (const { address } of addresses) refuseNonPublic(address);
  return addresses;
}

/**
 * The host of a webhook URL, after the checks that need no lookup (length, scheme, host present).
 * Throws WebhookRefusedError.
 */
export function webhookHost(url: string): string {
  if (url.length > MAX_WEBHOOK_URL_LENGTH) {
    throw new WebhookRefusedError(`The webhook URL is longer than ${MAX_WEBHOOK_URL_LENGTH} characters.`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookRefusedError('The webhook is not a valid URL.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new WebhookRefusedError('The webhook URL must use http or https.');
  }
  // An IPv6 literal keeps its brackets in `hostname`.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new WebhookRefusedError('The webhook URL has no host.');
  return host;
}

/**
 * Whether an address is public unicast. Deny by default: anything ipaddr.js places in a special
 * range (private, loopback, link-local, unique-local, CGNAT, multicast, unspecified, broadcast,
 * reserved and documentation ranges, 6to4, Teredo, NAT64, ...) is refused. An IPv4-mapped IPv6
 * address (`::ffff:127.0.0.1`) is judged as the IPv4 address it carries.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // process() turns an IPv4-mapped IPv6 address into its IPv4 address.
  return ipaddr.process(address).range() === 'unicast';
}

/** Throws WebhookRefusedError, naming the range, for an address that is not public unicast. */
export function refuseNonPublic(address: string): void {
  if (isPublicAddress(address)) return;
  const range = ipaddr.isValid(address) ? ipaddr.process(address).range() : 'invalid';
  throw new WebhookRefusedError(`The webhook host is not a public address (${range} ${address}).`);
}

/** Every address of `host`; a resolver that hangs is given up on after `timeoutMs`. */
async function lookupAll(host: string, timeoutMs: number): Promise<LookupAddress[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('lookup timed out'), { code: 'ETIMEOUT' })), timeoutMs);
  });
  try {
    return await Promise.race([dns.lookup(host, { all: true, verbatim: true }), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function unresolved(err: unknown): WebhookUnresolvedError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOTFOUND' || code === 'ENODATA') {
    return new WebhookUnresolvedError('The webhook host name does not resolve.');
  }
  return new WebhookUnresolvedError(`The webhook host name could not be resolved (${code ?? 'lookup failed'}).`);
}

/**
 * A `lookup` for node:net/http that resolves as usual and refuses a host with any non-public address,
 * so the address a delivery connects to is the one that was checked (no DNS-rebinding window).
 * IP literals never reach a lookup; `checkWebhookUrl` judges them.
 */
export function guardedLookup(options: WebhookTargetOptions): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    lookupCallback(hostname, { ...lookupOptions, all: true }, (err, addresses) => {
      if (err) return callback(err, '', undefined);
      try {
        if (addresses.length === 0) throw new WebhookUnresolvedError('The webhook host name has no address.');
        if (!options.allowPrivate) for (const { address } of addresses) refuseNonPublic(address);
      } catch (refused) {
        return callback(refused as NodeJS.ErrnoException, '', undefined);
      }
      if (lookupOptions.all) return callback(null, addresses);
      return callback(null, addresses[0].address, addresses[0].family);
    });
  };
}
