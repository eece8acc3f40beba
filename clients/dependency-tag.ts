/**
 * Errors that say which dependency threw them, so the API can tell a client "the database is
 * unavailable" rather than guess from a bare ECONNREFUSED: a socket error carries no hint of
 * whose socket it was.
 */
export type DependencyName = 'database' | 'storage';

const TAG = Symbol.for('inference.club/dependency');

export function dependencyOf(err: unknown): DependencyName | undefined {
  return err && typeof err === 'object' ? (err as { [TAG]?: DependencyName })[TAG] : undefined;
}

function tag(err: unknown, name: DependencyName): unknown {
  if (err && typeof err === 'object' && !dependencyOf(err)) {
    Object.defineProperty(err, TAG, { value: name, enumerable: false });
  }
  return err;
}

/** `target` with every promise-returning method's rejections tagged with `name`. */
export function tagRejections<T extends object>(target: T, name: DependencyName): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const out: unknown = (value as (...a: unknown[]) => unknown).apply(obj, args);
        if (out instanceof Promise) {
          return out.catch((err: unknown) => {
            throw tag(err, name);
          });
        }
        return out;
      };
    },
  });
}
