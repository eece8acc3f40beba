import type { Logger } from '../../clients/logger';
import { envelope } from './api-error';
import { currentRequest } from './request-context';

/**
 * The process-wide net under every request: an exception or rejection nothing handled fails the
 * request it came from (a 500 in the envelope, or a cut connection once the answer has begun)
 * and is logged; the process, and every other request in it, keeps running.
 * Returns a function that removes the handlers.
 */
export function installLastResort(logger: Logger): () => void {
  const onError = (err: unknown, origin: string) => {
    const ctx = currentRequest();
    logger.error('uncaught error (the process keeps running)', {
      origin,
      path: ctx?.path,
      err: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
    if (!ctx) return;
    const res = ctx.res;
    if (res.writableEnded || res.destroyed) return;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = JSON.stringify(envelope('internal_error', 'Internal error.'));
    res.writeHead(500, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };
  const onException = (err: unknown) => onError(err, 'uncaughtException');
  const onRejection = (err: unknown) => onError(err, 'unhandledRejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
