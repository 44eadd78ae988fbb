import type { MetricsRegistry } from '../telemetry/metrics-registry.js';
import { type AuthEntry, readAuthFile } from './auth-file.js';
import { type AccessDecision, type AccessNeed, type AccessRequest, authorize } from './authorize.js';

/**
 * The server's side of `--auth FILE`: the tokens now in force, the checks
 * every listener makes against them, and the counters on `/metrics`.
 * `reload()` swaps the whole table at once (SIGHUP), so a request is decided
 * against the old file or the new one, never half of each, and connections
 * stay open.
 */
export class AccessControl {
  private entries: readonly AuthEntry[];
  private readonly failures;
  private readonly reloads;

  /** Reads the file now; a file that is missing or wrong stops the server from starting. */
  constructor(
    readonly file: string,
    registry: MetricsRegistry,
  ) {
    this.entries = readAuthFile(file);
    this.failures = registry.counter(
      'ariadne_auth_failures_total',
      'Requests refused by --auth, by listener and reason (missing_token, malformed, unknown_token, role, tenant).',
    );
    this.reloads = registry.counter('ariadne_auth_reloads_total', 'Re-reads of the --auth file, by result.');
    registry.gauge('ariadne_auth_tokens', 'Tokens in the --auth file now in force.').track(() => this.entries.length);
  }

  /**
   * Re-reads the file. A file that is now wrong is refused whole and the
   * tokens in force stay (an edit half-way through must not lock everyone
   * out); the error says what is wrong.
   */
  reload(): { readonly tokens: number } {
    try {
      this.entries = readAuthFile(this.file);
    } catch (error) {
      this.reloads.inc({ result: 'failed' });
      throw error;
    }
    this.reloads.inc({ result: 'ok' });
    return { tokens: this.entries.length };
  }

  /** Decides a request on `listener` (a metric label) and counts it when refused. */
  check(listener: string, request: AccessRequest, need: AccessNeed): AccessDecision {
    const decision = authorize(this.entries, request, need);
    if (!decision.allowed) this.failures.inc({ listener, reason: decision.reason });
    return decision;
  }
}
