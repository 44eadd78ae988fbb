import type { TraceState } from '@opentelemetry/api';

/**
 * W3C tracestate key, Trace Context level 2: a lowercase letter or digit,
 * then up to 255 of `a-z 0-9 _ - * / @`. Level 1 split keys into `simple`
 * and `tenant@system` with their own lengths; level 2 folded both into this
 * one rule, so `tenant@system` is simply a key with an `@` in it
 * (`foo@`, `foo@@bar` and a 242-character tenant are keys too, `@foo` is not).
 */
const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
/** Up to 256 printable ASCII characters except `,` and `=`, not ending in a space. */
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
export const MAX_TRACE_STATE_MEMBERS = 32;

export function isValidTraceStateKey(key: string): boolean {
  return KEY.test(key);
}

export function isValidTraceStateValue(value: string): boolean {
  return VALUE.test(value);
}

/**
 * An immutable W3C tracestate. `set` moves (or adds) the key to the front,
 * as the spec asks of the vendor that updates its entry, and drops the
 * rightmost member past 32. Invalid keys or values are refused (the state
 * is returned unchanged).
 */
export class W3cTraceState implements TraceState {
  private constructor(private readonly members: readonly (readonly [string, string])[]) {}

  static empty(): W3cTraceState {
    return new W3cTraceState([]);
  }

  /**
   * Parses one header value (several headers already joined with `,`).
   * Returns `undefined` when any member is invalid or there are more than
   * 32 members: the spec's "discard the whole tracestate". Empty members
   * (`a=1,,b=2`) are allowed and skipped. A repeated key is not an error and
   * is kept as received: the spec lets a vendor drop duplicates it did not
   * write but asks it not to delete others' keys, and which copy is newer
   * depends on whether the writer moved its entry left (as it should) or
   * appended it. `get` reads the leftmost; `set` and `unset` replace them all.
   */
  static parse(header: string): W3cTraceState | undefined {
    const members: [string, string][] = [];
    for (const raw of header.split(',')) {
      const member = raw.replace(/^[ \t]+|[ \t]+$/g, '');
      if (member === '') continue;
      const eq = member.indexOf('=');
      if (eq <= 0) return undefined;
      const key = member.slice(0, eq);
      const value = member.slice(eq + 1);
      if (!KEY.test(key) || !VALUE.test(value)) return undefined;
      members.push([key, value]);
      if (members.length > MAX_TRACE_STATE_MEMBERS) return undefined;
    }
    return new W3cTraceState(members);
  }

  get size(): number {
    return this.members.length;
  }

  get(key: string): string | undefined {
    for (const [k, v] of this.members) if (k === key) return v;
    return undefined;
  }

  set(key: string, value: string): W3cTraceState {
    if (!KEY.test(key) || !VALUE.test(value)) return this;
    const rest = this.members.filter(([k]) => k !== key);
    const members = [[key, value] as const, ...rest];
    if (members.length > MAX_TRACE_STATE_MEMBERS) members.length = MAX_TRACE_STATE_MEMBERS;
    return new W3cTraceState(members);
  }

  unset(key: string): W3cTraceState {
    const rest = this.members.filter(([k]) => k !== key);
    return rest.length === this.members.length ? this : new W3cTraceState(rest);
  }

  serialize(): string {
    let out = '';
    for (const [k, v] of this.members) out += out === '' ? `${k}=${v}` : `,${k}=${v}`;
    return out;
  }
}
