import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Credential, Site } from '../domain/types.js';
import type { Store } from '../ports/storage.js';

/**
 * Bearer secrets are 256-bit random values, so a fast SHA-256 is the right hash at rest (no
 * password stretching needed) and lets the store find the credential by an indexed hash. The
 * hash found is still compared in constant time before it is trusted.
 */
export const hashSecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');
export const generateSecret = (prefix: string) => `${prefix}_${randomBytes(32).toString('base64url')}`;

export interface Principal {
  credential: Credential;
  site: Site;
}

export class CredentialService {
  constructor(private readonly store: Store) {}

  /** Resolves a SCIM bearer secret to its site, or undefined (revoked, unknown, wrong kind). */
  async verifyScimSecret(secret: string): Promise<Principal | undefined> {
    const hash = hashSecret(secret);
    const cred = await this.store.directory.findCredentialByHash(hash);
    if (!cred || cred.kind !== 'scim' || cred.revokedAt !== null || !cred.siteId) return undefined;
    if (!timingSafeEqual(Buffer.from(cred.secretHash, 'hex'), Buffer.from(hash, 'hex'))) return undefined;
    const site = await this.store.directory.findSiteById(cred.tenantId, cred.siteId);
    return site && { credential: cred, site };
  }

  /** Issues a new SCIM secret for a site, revoking the previous ones; the secret is returned once. */
  async rotateScimSecret(tenantId: string, siteId: string, now: number, secret = generateSecret('rgs')): Promise<string> {
    await this.store.directory.revokeCredentials(tenantId, siteId, 'scim');
    await this.store.directory.insertCredential({
      id: randomUUID(), tenantId, siteId, kind: 'scim', scope: null, secretHash: hashSecret(secret), revokedAt: null, createdAt: now,
    });
    return secret;
  }
}
