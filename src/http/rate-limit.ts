import { AppError } from '../domain/errors.js';

/**
 * Per-credential token buckets (SPEC §9): `ratePerSecond` sustained, `burst` at once. Over the
 * limit a request gets 429 with an integer Retry-After (what Okta and Entra honour, INTEROP
 * §B5/§C4). Buckets idle for a minute are dropped, so memory follows the active credentials.
 */
export class RateLimiter {
  #buckets = new Map<string, { tokens: number; at: number }>();
  #sweep = 0;

  constructor(private readonly ratePerSecond: number, private readonly burst: number, private readonly now: () => number = Date.now) {}

  /** @throws AppError request.rate_limited */
  take(key: string): void {
    if (this.ratePerSecond <= 0) return;
    const now = this.now();
    if (now - this.#sweep > 60_000) this.sweep(now);
    const b = this.#buckets.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.ratePerSecond);
    b.at = now;
    this.#buckets.set(key, b);
    if (b.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / this.ratePerSecond));
      throw new AppError('request.rate_limited', `Too many requests for this credential; retry after ${retryAfter} s`, { retryAfter });
    }
    b.tokens -= 1;
  }

  private sweep(now: number) {
    this.#sweep = now;
    for (const [k, b] of this.#buckets) if (now - b.at > 60_000) this.#buckets.delete(k);
  }
}

/**
 * A global bound on requests in flight. Taken and released by the load-shedding front door
 * (`shed.ts`), before Express: beyond the bound a request is refused at once (429) instead of
 * queueing without end.
 */
export class ConcurrencyLimiter {
  #inFlight = 0;
  constructor(readonly max: number) {}

  get inFlight() {
    return this.#inFlight;
  }

  /** Takes a slot; false at the bound (0 = no bound). Every `true` must be paired with one `leave()`. */
  tryEnter(): boolean {
    if (this.max > 0 && this.#inFlight >= this.max) return false;
    this.#inFlight++;
    return true;
  }

  leave(): void {
    if (this.#inFlight > 0) this.#inFlight--;
  }
}
