import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { type Context, type ContextManager, ROOT_CONTEXT } from '@opentelemetry/api';

type Listener = (...args: unknown[]) => unknown;
const ADD_METHODS = ['addListener', 'on', 'once', 'prependListener', 'prependOnceListener'] as const;
/** Per emitter: event name → original listener → its context-bound wrapper, so removeListener still works. */
const BOUND = Symbol('ariadne.bound-listeners');
type Patched = EventEmitter & { [BOUND]?: Map<string | symbol, WeakMap<Listener, Listener>> };

/**
 * The api ContextManager on Node's AsyncLocalStorage: the active context
 * follows promises, timers and callbacks without any patching. `with` passes
 * the arguments straight to `AsyncLocalStorage.run`, so entering a context
 * allocates no closure unless a `thisArg` is given.
 */
export class AsyncLocalStorageContextManager implements ContextManager {
  private storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const target = thisArg === undefined ? fn : (fn.bind(thisArg) as F);
    return this.storage.run(context, target, ...args);
  }

  /** Binds a function, or every listener later added to an EventEmitter, to `context`. */
  bind<T>(context: Context, target: T): T {
    if (target instanceof EventEmitter) return this.bindEmitter(context, target) as T;
    if (typeof target === 'function') return this.bindFunction(context, target as unknown as Listener) as T;
    return target;
  }

  enable(): this {
    return this;
  }

  /** Leaves every context: what runs afterwards sees the root context. */
  disable(): this {
    this.storage.disable();
    this.storage = new AsyncLocalStorage<Context>();
    return this;
  }

  private bindFunction(context: Context, fn: Listener): Listener {
    const manager = this;
    const bound = function (this: unknown, ...args: unknown[]) {
      return manager.with(context, () => fn.apply(this, args));
    };
    Object.defineProperty(bound, 'length', { value: fn.length, configurable: true });
    return bound;
  }

  private bindEmitter(context: Context, emitter: Patched): Patched {
    if (emitter[BOUND] !== undefined) return emitter;
    const map = new Map<string | symbol, WeakMap<Listener, Listener>>();
    emitter[BOUND] = map;
    const manager = this;
    for (const method of ADD_METHODS) {
      const original = emitter[method];
      emitter[method] = function (this: Patched, event: string | symbol, listener: Listener) {
        let perEvent = map.get(event);
        if (perEvent === undefined) {
          perEvent = new WeakMap();
          map.set(event, perEvent);
        }
        let bound = perEvent.get(listener);
        if (bound === undefined) {
          bound = manager.bindFunction(context, listener);
          perEvent.set(listener, bound);
        }
        return original.call(this, event, bound);
      } as Patched[typeof method];
    }
    const removeListener = emitter.removeListener;
    emitter.removeListener = emitter.off = function (this: Patched, event: string | symbol, listener: Listener) {
      const bound = map.get(event)?.get(listener);
      return removeListener.call(this, event, bound ?? listener);
    } as Patched['removeListener'];
    const removeAll = emitter.removeAllListeners;
    emitter.removeAllListeners = function (this: Patched, event?: string | symbol) {
      if (event === undefined) map.clear();
      else map.delete(event);
      return removeAll.apply(this, event === undefined ? [] : [event]);
    } as Patched['removeAllListeners'];
    return emitter;
  }
}
