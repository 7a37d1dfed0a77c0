/**
 * A small in-process cache with a time-to-live, for lookups every request repeats (token →
 * site, a site's SCIM gate). Local changes invalidate it at once; other instances see a change
 * within `ttlMs` — the bound the README states for revocations and gate changes.
 */
export class TtlCache<K, V> {
  #entries = new Map<K, { value: V; until: number }>();

  constructor(private readonly ttlMs: number, private readonly max = 10_000, private readonly now: () => number = Date.now) {}

  async get(key: K, load: () => Promise<V>): Promise<V> {
    const t = this.now();
    const hit = this.#entries.get(key);
    if (hit && hit.until > t) return hit.value;
    const value = await load();
    if (this.#entries.size >= this.max) this.#entries.clear();
    this.#entries.set(key, { value, until: t + this.ttlMs });
    return value;
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
