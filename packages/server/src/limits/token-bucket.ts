/** What a bucket answers when asked for tokens. */
export type TakeResult = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

/**
 * A token bucket: `ratePerSecond` tokens flow in continuously up to `burst`,
 * and a request costing `n` is let through when `n` tokens are there (then
 * taken), refused otherwise with the time until they will be. A refusal takes
 * nothing, so a client that backs off for `retryAfterMs` finds its tokens.
 * Refilled lazily from `now()` (milliseconds) on each call: no timers, and a
 * test drives it with a clock of its own.
 *
 * A cost above `burst` can never be met; callers check `burst` first and
 * refuse such a request as too large rather than "retry later".
 */
export class TokenBucket {
  #tokens: number;
  #updatedAt: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number,
  ) {
    if (!(ratePerSecond > 0) || !(burst > 0)) throw new RangeError('a token bucket needs a positive rate and burst');
    this.#tokens = burst;
    this.#updatedAt = now();
  }

  /** Tokens there now (after the refill since the last call). */
  get tokens(): number {
    this.#refill();
    return this.#tokens;
  }

  /** True when the bucket is full: it then behaves exactly as a new one, so it may be forgotten. */
  get isFull(): boolean {
    return this.tokens >= this.burst;
  }

  take(cost: number): TakeResult {
    this.#refill();
    if (cost <= this.#tokens) {
      this.#tokens -= cost;
      return { ok: true };
    }
    const missing = Math.min(cost, this.burst) - this.#tokens;
    return { ok: false, retryAfterMs: Math.ceil((missing / this.ratePerSecond) * 1000) };
  }

  #refill(): void {
    const at = this.now();
    // A clock that steps back (a wall clock adjusted) adds nothing rather than taking tokens away.
    const elapsedMs = Math.max(0, at - this.#updatedAt);
    this.#updatedAt = Math.max(at, this.#updatedAt);
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsedMs / 1000) * this.ratePerSecond);
  }
}
