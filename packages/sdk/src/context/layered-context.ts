import type { Context, Span } from '@opentelemetry/api';

/** Layers over one base context, at most; the next value flattens them into the base (see `layerContext`). */
const MAX_LAYERS = 8;

/**
 * A context that is another context plus one value (or minus one key).
 * The api's own context copies its whole Map on every `setValue`, and
 * `startActiveSpan` sets a span on every call: one small layer over the
 * parent is much cheaper. Lookups walk the layers, then the base context's Map.
 */
class LayeredContext implements Context {
  constructor(
    readonly below: Context,
    readonly key: symbol,
    /** `undefined` with `deleted` for a removed key. */
    readonly value: unknown,
    readonly deleted: boolean,
    readonly layers: number,
  ) {}

  getValue(key: symbol): unknown {
    let context: Context = this;
    while (context instanceof LayeredContext) {
      if (context.key === key) return context.deleted ? undefined : context.value;
      context = context.below;
    }
    return context.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return layerContext(this, key, value, false);
  }

  deleteValue(key: symbol): Context {
    return layerContext(this, key, undefined, true);
  }
}

/**
 * `context` with `key` set to `value` (or removed, when `deleted`), as the
 * api's `context.setValue`/`deleteValue` would give it. Past `MAX_LAYERS`
 * the layers are applied to the base context, so a lookup in deep recursion
 * never walks more than a few layers.
 */
export function layerContext(context: Context, key: symbol, value: unknown, deleted = false): Context {
  if (!(context instanceof LayeredContext)) return new LayeredContext(context, key, value, deleted, 1);
  if (context.layers < MAX_LAYERS) return new LayeredContext(context, key, value, deleted, context.layers + 1);
  const layers: LayeredContext[] = [];
  let base: Context = context;
  while (base instanceof LayeredContext) {
    layers.push(base);
    base = base.below;
  }
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i] as LayeredContext;
    base = layer.deleted ? base.deleteValue(layer.key) : base.setValue(layer.key, layer.value);
  }
  return deleted ? base.deleteValue(key) : base.setValue(key, value);
}

/** The api's key for the active span (createContextKey is Symbol.for). */
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

/** `trace.setSpan(context, span)` as a layer: no copy of the context's Map. */
export function setSpanLayer(context: Context, span: Span): Context {
  return layerContext(context, SPAN_KEY, span);
}
