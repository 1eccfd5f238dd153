/**
 * A shared-informer in miniature (client-go tools/cache): a local cache fed by one watch, turning watch
 * events into add / update(old, new) / delete callbacks. Components read their cache, never etcd.
 */
import type { WatchEvent } from './api-server.js';
import type { KubeObject } from './objects.js';

/**
 * `key` is the object's storage key (keyOf(obj)) as the API server holds it: handlers that key maps by it
 * skip building and hashing a fresh string per event.
 */
export interface InformerHandlers<T extends KubeObject> {
  add?(obj: T, key: string): void;
  update?(oldObj: T, newObj: T, key: string): void;
  delete?(obj: T, key: string): void;
}

export class Informer<T extends KubeObject> {
  readonly cache = new Map<string, T>();

  constructor(private readonly handlers: InformerHandlers<T>) {}

  /** The watch handler to pass to ApiServer.watch. */
  readonly onEvent = (ev: WatchEvent): void => {
    const obj = ev.object as T;
    const key = ev.key;
    const old = this.cache.get(key);
    if (ev.type === 'DELETED') {
      if (old === undefined) return;
      this.cache.delete(key);
      this.handlers.delete?.(obj, key);
      return;
    }
    this.cache.set(key, obj);
    if (old === undefined) this.handlers.add?.(obj, key);
    else this.handlers.update?.(old, obj, key);
  };
}
