import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Credential, Site } from '../domain/types.js';
import type { Store } from '../ports/storage.js';
import { TtlCache } from './ttl-cache.js';

/**
 * Bearer secrets are 256-bit random values, so a fast SHA-256 is the right hash at rest (no
 * password stretching needed) and lets the store find the credential by an indexed hash. The
 * hash found is still compared in constant time before it is trusted.
 */
export const hashSecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');
export const generateSecret = (prefix: string) => `${prefix}_${randomBytes(32).toString('base64url')}`;

export const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));

/** Live: not revoked, or revoked at an instant still ahead (a rotation grace window). */
export const isLive = (c: Credential, now: number) => c.revokedAt === null || c.revokedAt > now;

export interface Principal {
  credential: Credential;
  site: Site;
}

/** SCIM credentials of a site: lookup, rotation with an optional grace window, last-used stamps. */
export class CredentialService {
  #touched = new Map<string, number>();
  /** hash → credential: a second per request saved on the hot path; local revocations clear it. */
  readonly #byHash: TtlCache<string, Credential | undefined>;
  /** tenant/site → site record, the other lookup every SCIM request repeats; cleared with the credentials. */
  readonly #sites: TtlCache<string, Site | undefined>;

  constructor(private readonly store: Store, private readonly now: () => number = Date.now) {
    this.#byHash = new TtlCache(1000, 10_000, now);
    this.#sites = new TtlCache(1000, 10_000, now);
  }

  /** Resolves a SCIM bearer secret to its site, or undefined (revoked, unknown, wrong kind). */
  async verifyScimSecret(secret: string): Promise<Principal | undefined> {
    const hash = hashSecret(secret);
    const cred = await this.#byHash.get(hash, () => this.store.directory.findCredentialByHash(hash));
    if (!cred || cred.kind !== 'scim' || !isLive(cred, this.now()) || !cred.siteId || !sameHash(cred.secretHash, hash)) return undefined;
    return this.principalOf(cred);
  }

  /** Forgets cached credentials and sites (after a local rotation, revocation or site change). */
  invalidate(): void {
    this.#byHash.clear();
    this.#sites.clear();
  }

  /** The site of a credential found by id (OAuth access tokens carry the client's id). */
  async principalOf(cred: Credential): Promise<Principal | undefined> {
    if (!cred.siteId || !isLive(cred, this.now())) return undefined;
    const { tenantId, siteId } = cred;
    const site = await this.#sites.get(`${tenantId}/${siteId}`, () => this.store.directory.findSiteById(tenantId, siteId));
    if (!site) return undefined;
    this.touch(cred.id);
    return { credential: cred, site };
  }

  /** last_used_at, written at most once a minute per credential (not one write per request). */
  touch(id: string): void {
    const now = this.now();
    if (now - (this.#touched.get(id) ?? 0) < 60_000) return;
    this.#touched.set(id, now);
    void this.store.directory.touchCredential(id, now).catch(() => undefined);
  }

  /**
   * Issues a new SCIM secret for a site; the previous ones stop working now, or after
   * `graceSeconds` so an IdP can be switched over without an outage. The secret is returned once.
   */
  async rotateScimSecret(tenantId: string, siteId: string, now: number, secret = generateSecret('rgs'), graceSeconds = 0): Promise<string> {
    await this.store.directory.revokeCredentials(tenantId, siteId, 'scim', now + graceSeconds * 1000);
    this.invalidate();
    await this.store.directory.insertCredential({
      id: randomUUID(), tenantId, siteId, kind: 'scim', scope: null, secretHash: hashSecret(secret), revokedAt: null, createdAt: now,
    });
    return secret;
  }

  async list(tenantId: string, siteId: string | null) {
    const now = this.now();
    return (await this.store.directory.findCredentials(tenantId, siteId)).map((c) => ({
      id: c.id, kind: c.kind, label: c.label ?? null, live: isLive(c, now),
      createdAt: c.createdAt ? new Date(c.createdAt).toISOString() : null,
      revokedAt: c.revokedAt ? new Date(c.revokedAt).toISOString() : null,
      lastUsedAt: c.lastUsedAt ? new Date(c.lastUsedAt).toISOString() : null,
    }));
  }

  async revoke(tenantId: string, id: string): Promise<boolean> {
    const done = await this.store.directory.revokeCredential(tenantId, id, this.now());
    this.invalidate();
    return done;
  }
}
