import type { AttributeScope, Position } from './ast.js';
import { TraceQLError } from './traceql-error.js';

export type Token =
  | { readonly type: 'punct'; readonly text: string; readonly pos: Position }
  | { readonly type: 'string'; readonly text: string; readonly value: string; readonly pos: Position }
  | { readonly type: 'int' | 'float'; readonly text: string; readonly value: number; readonly pos: Position }
  /** Nanoseconds. */
  | { readonly type: 'duration'; readonly text: string; readonly value: number; readonly pos: Position }
  | { readonly type: 'ident'; readonly text: string; readonly pos: Position }
  | {
      readonly type: 'attribute';
      readonly text: string;
      readonly scope: AttributeScope;
      readonly name: string;
      readonly pos: Position;
    }
  /** `span:name`, `trace:duration`, … as written; validation checks the name. */
  | { readonly type: 'intrinsic'; readonly text: string; readonly name: string; readonly pos: Position }
  | { readonly type: 'eof'; readonly text: ''; readonly pos: Position };

// Longest first, so that `!>>` wins over `!>` and `!`.
const PUNCTUATION = [
  '!>>',
  '!<<',
  '&>>',
  '&<<',
  '&&',
  '||',
  '!=',
  '!~',
  '=~',
  '>=',
  '<=',
  '>>',
  '<<',
  '!>',
  '!<',
  '&>',
  '&<',
  '&~',
  '{',
  '}',
  '(',
  ')',
  ',',
  '|',
  '!',
  '=',
  '>',
  '<',
  '~',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
];

const SCOPES: ReadonlySet<string> = new Set(['span', 'resource', 'event', 'link', 'instrumentation']);
const INTRINSIC_SCOPES: ReadonlySet<string> = new Set(['span', 'trace', 'event', 'link', 'instrumentation']);

// Go's time.ParseDuration units, which Tempo uses for duration literals.
const DURATION_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};
const DURATION = /^(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h)(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))*/;
const NUMBER = /^(?:\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+)/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * Tempo's rule for attribute names: anything up to white space or one of the
 * characters that end an expression, so `span.http.status_code` and
 * `span.k8s.pod-name` are single names. Quote names with other characters.
 */
function isAttributeChar(ch: string): boolean {
  return !/[\s{}()=~!<>&|^,]/.test(ch);
}

/** Splits a query into tokens; the last one is always `eof`. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let offset = 0;
  let line = 1;
  let lineStart = 0;
  const position = (at: number): Position => ({ offset: at, line, column: at - lineStart + 1 });

  while (offset < text.length) {
    const ch = text[offset]!;
    if (ch === '\n') {
      offset++;
      line++;
      lineStart = offset;
      continue;
    }
    if (/\s/.test(ch)) {
      offset++;
      continue;
    }
    const pos = position(offset);
    const rest = text.slice(offset);

    if (ch === '"' || ch === '`') {
      const { value, end } = readString(text, offset, pos);
      tokens.push({ type: 'string', text: text.slice(offset, end), value, pos });
      offset = end;
      continue;
    }

    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[offset + 1] ?? ''))) {
      const duration = DURATION.exec(rest);
      if (duration !== null && !isIdentChar(text[offset + duration[0].length])) {
        tokens.push({ type: 'duration', text: duration[0], value: parseDuration(duration[0]), pos });
        offset += duration[0].length;
        continue;
      }
      const number = NUMBER.exec(rest)!;
      const after = text[offset + number[0].length];
      if (isIdentChar(after)) {
        throw new TraceQLError(pos, `invalid number or duration "${rest.match(/^[\w.µμ]+/)![0]}"`);
      }
      const isInt = /^\d+$/.test(number[0]);
      tokens.push({ type: isInt ? 'int' : 'float', text: number[0], value: Number(number[0]), pos });
      offset += number[0].length;
      continue;
    }

    if (ch === '.') {
      const { name, end } = readAttributeName(text, offset + 1, pos);
      tokens.push({ type: 'attribute', text: text.slice(offset, end), scope: 'none', name, pos });
      offset = end;
      continue;
    }

    const ident = IDENT.exec(rest);
    if (ident !== null) {
      const word = ident[0];
      const next = text[offset + word.length];
      if (next === '.' && SCOPES.has(word)) {
        const { name, end } = readAttributeName(text, offset + word.length + 1, pos);
        tokens.push({ type: 'attribute', text: text.slice(offset, end), scope: word as AttributeScope, name, pos });
        offset = end;
        continue;
      }
      if (next === ':' && INTRINSIC_SCOPES.has(word)) {
        const nameMatch = IDENT.exec(text.slice(offset + word.length + 1));
        if (nameMatch === null) {
          throw new TraceQLError(position(offset + word.length + 1), `expected an intrinsic name after "${word}:"`);
        }
        const end = offset + word.length + 1 + nameMatch[0].length;
        tokens.push({ type: 'intrinsic', text: text.slice(offset, end), name: text.slice(offset, end), pos });
        offset = end;
        continue;
      }
      tokens.push({ type: 'ident', text: word, pos });
      offset += word.length;
      continue;
    }

    const punct = PUNCTUATION.find((p) => rest.startsWith(p));
    if (punct === undefined) throw new TraceQLError(pos, `unexpected character "${ch}"`);
    tokens.push({ type: 'punct', text: punct, pos });
    offset += punct.length;
  }
  tokens.push({ type: 'eof', text: '', pos: position(offset) });
  return tokens;
}

function isIdentChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_µμ]/.test(ch);
}

function parseDuration(text: string): number {
  let total = 0;
  for (const part of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * DURATION_UNITS[part[2]!]!;
  }
  return Math.round(total);
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", '`': '`' };

function readString(text: string, start: number, pos: Position): { value: string; end: number } {
  const quote = text[start]!;
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === quote) return { value, end: i + 1 };
    // Backtick strings are raw (as in Go), which is what regular expressions want.
    if (ch === '\\' && quote === '"') {
      const escaped = text[i + 1];
      if (escaped === undefined) break;
      const replacement = ESCAPES[escaped];
      // Unknown escapes stay as written, so `"\d+"` reaches the regex engine intact.
      value += replacement ?? `\\${escaped}`;
      i += 2;
      continue;
    }
    value += ch;
    i++;
  }
  throw new TraceQLError(pos, 'unterminated string');
}

function readAttributeName(text: string, start: number, pos: Position): { name: string; end: number } {
  if (text[start] === '"') {
    const { value, end } = readString(text, start, pos);
    if (value === '') throw new TraceQLError(pos, 'empty attribute name');
    return { name: value, end };
  }
  let end = start;
  while (end < text.length && isAttributeChar(text[end]!)) end++;
  if (end === start) throw new TraceQLError(pos, 'expected an attribute name after "."');
  return { name: text.slice(start, end), end };
}
