import type { Query } from './ast.js';
import { parseTraceQL } from './parser.js';
import { validateTraceQL } from './validate.js';

/** Parses and validates TraceQL text. Throws `TraceQLError` (kind `InvalidQuery`) with line and column. */
export function compileTraceQL(text: string): Query {
  return validateTraceQL(parseTraceQL(text));
}
