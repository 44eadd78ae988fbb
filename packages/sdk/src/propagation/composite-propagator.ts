import { type Context, diag, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';

/**
 * Several propagators as one: every one injects; extraction runs them in
 * order, each on the previous one's result, so a later propagator's span
 * context wins when several headers carry one. A propagator that throws is
 * skipped (reported through `diag`), never breaking the request.
 */
export class CompositePropagator implements TextMapPropagator {
  private readonly allFields: string[];

  constructor(private readonly propagators: readonly TextMapPropagator[]) {
    this.allFields = [...new Set(propagators.flatMap((p) => p.fields()))];
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    for (const propagator of this.propagators) {
      try {
        propagator.inject(context, carrier, setter);
      } catch (error) {
        diag.warn('propagator inject failed', error);
      }
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let result = context;
    for (const propagator of this.propagators) {
      try {
        result = propagator.extract(result, carrier, getter);
      } catch (error) {
        diag.warn('propagator extract failed', error);
      }
    }
    return result;
  }

  fields(): string[] {
    return [...this.allFields];
  }
}
