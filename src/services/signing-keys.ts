import { randomBytes, randomUUID } from 'node:crypto';
import type { Store } from '../ports/storage.js';

/**
 * HS256 keys for the JWTs rolegate issues (admin tokens, OAuth access tokens, portal tokens),
 * kept in the store so every instance verifies what any instance signed.
 */
export class SigningKeys {
  #keys: { id: string; key: Uint8Array }[] = [];

  constructor(private readonly store: Store) {}

  async init(now: number): Promise<void> {
    let keys = await this.store.directory.findSigningKeys();
    if (!keys.length) {
      await this.store.directory.insertSigningKey({ id: randomUUID(), secret: randomBytes(32).toString('base64url'), createdAt: now });
      keys = await this.store.directory.findSigningKeys();
    }
    this.#keys = keys.map((k) => ({ id: k.id, key: Buffer.from(k.secret, 'base64url') }));
  }

  get current(): { id: string; key: Uint8Array } {
    const [k] = this.#keys;
    if (!k) throw new Error('signing keys not initialised');
    return k;
  }

  get all(): readonly { id: string; key: Uint8Array }[] {
    return this.#keys;
  }
}
