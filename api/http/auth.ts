import type { Middleware } from 'koa';
import type { Db } from '../../db/database';
import { findMemberByApiKey } from '../../db/repositories/member.repository';
import type { Member } from '../../db/tables/member.table';
import { ErrorType } from '../../workflows/errors';
import { ApiError } from './api-error';

export interface AuthState {
  member: Member;
}

const CACHE_MS = 5000;

/**
 * Bearer-key authentication. Lookups are cached for a few seconds: the key check sits on the
 * latency path of every call, and a revoked key stops working within CACHE_MS.
 */
export function requireMember(db: Db): Middleware<AuthState> {
  const cache = new Map<string, { member: Member; until: number }>();
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError(ErrorType.NotAuthenticated, 'Authentication credentials were not provided.');
    const key = match[1];
    const now = Date.now();
    let hit = cache.get(key);
    if (!hit || hit.until < now) {
      const member = await findMemberByApiKey(db, key);
      if (!member) {
        cache.delete(key);
        throw new ApiError(ErrorType.NotAuthenticated, 'Invalid API key.');
      }
      hit = { member, until: now + CACHE_MS };
      if (cache.size > 10000) cache.clear();
      cache.set(key, hit);
    }
    ctx.state.member = hit.member;
    await next();
  };
}
