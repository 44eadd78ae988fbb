/**
 * `/ready`, apart from `/health`: `/health` says the process is up (a
 * liveness probe restarts it otherwise); `/ready` says it can do its work
 * now (a load balancer sends it traffic only then). Modules register what
 * they need (`add`): the store reachable, later a spool with room. Each check
 * resolves to `undefined` when fine, or to the reason it is not.
 */
export type ReadinessCheck = () => Promise<string | undefined> | string | undefined;

export interface ReadinessReport {
  readonly ready: boolean;
  /** Each failing check's name and reason; empty when ready. */
  readonly reasons: readonly { readonly check: string; readonly reason: string }[];
}

export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck>();

  /** Registers a check under a name (shown in `/ready`'s answer); returns its removal. */
  add(name: string, check: ReadinessCheck): () => void {
    if (this.#checks.has(name)) throw new Error(`readiness check "${name}" is registered twice`);
    this.#checks.set(name, check);
    return () => this.#checks.delete(name);
  }

  /** Runs every check at once; a check that throws is not ready, with its message. */
  async report(): Promise<ReadinessReport> {
    const results = await Promise.all(
      [...this.#checks].map(async ([check, run]) => {
        try {
          const reason = await run();
          return reason === undefined ? undefined : { check, reason };
        } catch (error) {
          return { check, reason: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    const reasons = results.filter((result) => result !== undefined);
    return { ready: reasons.length === 0, reasons };
  }
}

/**
 * Caches a check's last answer for `ttlMs`, and runs at most one at a time:
 * a probe every second from each of several load balancers costs the store
 * one round trip per `ttlMs`.
 */
export function cachedCheck(check: ReadinessCheck, ttlMs: number): ReadinessCheck {
  let last: { at: number; reason: string | undefined } | undefined;
  let running: Promise<string | undefined> | undefined;
  return () => {
    if (last !== undefined && performance.now() - last.at < ttlMs) return last.reason;
    running ??= (async () => {
      try {
        const reason = await check();
        last = { at: performance.now(), reason };
        return reason;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        last = { at: performance.now(), reason };
        return reason;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
}
