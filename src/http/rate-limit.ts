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

  /** Milliseconds until `key` has a whole token again (0 if it has one now). */
  waitMs(key: string): number {
    const b = this.#buckets.get(key);
    if (!b || this.ratePerSecond <= 0) return 0;
    const tokens = Math.min(this.burst, b.tokens + ((this.now() - b.at) / 1000) * this.ratePerSecond);
    return tokens >= 1 ? 0 : ((1 - tokens) / this.ratePerSecond) * 1000;
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

/**
 * The token bucket's refusals, remembered by the exact `Authorization` header for as long as
 * that credential's bucket stays empty, so that the load-shedding front door (`shed.ts`)
 * refuses its next requests before routing and authentication: the same 429 a request would
 * get from the bucket, at a fraction of the cost. It only ever refuses, and only a header that
 * was authenticated and found over its limit moments ago; it never admits anything.
 */
export class OverLimitMemo {
  #until = new Map<string, number>();
  constructor(private readonly now: () => number = Date.now, private readonly max = 10_000) {}

  remember(header: string, ms: number): void {
    if (ms <= 0) return;
    const now = this.now();
    if (this.#until.size >= this.max) {
      for (const [k, u] of this.#until) if (u <= now) this.#until.delete(k);
      if (this.#until.size >= this.max) this.#until.clear();
    }
    this.#until.set(header, now + ms);
  }

  /** Whole seconds to wait (at least 1) while `header` is known to be over its limit; 0 otherwise. */
  retryAfter(header: string): number {
    const until = this.#until.get(header);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left <= 0) {
      this.#until.delete(header);
      return 0;
    }
    return Math.max(1, Math.ceil(left / 1000));
  }
}
