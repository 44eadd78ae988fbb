import { AriadneError } from '@ariadne/protocol';
import type { Position } from './ast.js';

/**
 * An invalid TraceQL query: kind `InvalidQuery`, with the place it went wrong.
 * The message starts with `line:column:` so a person can find the spot even
 * when only the text reaches them (Grafana shows the message as is).
 */
export class TraceQLError extends AriadneError {
  readonly line: number;
  readonly column: number;
  /** The message without its position prefix. */
  readonly detail: string;

  constructor(pos: Position, detail: string) {
    super('InvalidQuery', `${pos.line}:${pos.column}: ${detail}`);
    this.line = pos.line;
    this.column = pos.column;
    this.detail = detail;
  }
}
