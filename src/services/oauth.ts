import { jwtVerify, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { Store } from '../ports/storage.js';
import { generateSecret, hashSecret, isLive, sameHash, type CredentialService, type Principal } from './credentials.js';
import type { SigningKeys } from './signing-keys.js';

const ISSUER = 'rolegate';
const AUDIENCE = 'rolegate-scim';

/** RFC 6749 §5.2 error of the token endpoint. */
export class OAuthError extends Error {
  constructor(readonly status: 400 | 401, readonly error: 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope', description: string) {
    super(description);
  }
}

/**
 * OAuth 2.0 client credentials for SCIM clients (INTEROP §B4: Entra's gallery requirement):
 * a per-site client id and secret (stored hashed), JWT access tokens signed with jose whose
 * lifetime is configurable between 1 and 6 hours, revoked with their client.
 */
export class OAuthService {
  constructor(
    private readonly store: Store, private readonly keys: SigningKeys, private readonly credentials: CredentialService,
    private readonly lifetimeSeconds: number, private readonly now: () => number = Date.now,
  ) {}

  async createClient(tenantId: string, siteId: string, label: string | null): Promise<{ clientId: string; clientSecret: string }> {
    const clientId = randomUUID();
    const clientSecret = generateSecret('rgc');
    await this.store.directory.insertCredential({
      id: clientId, tenantId, siteId, kind: 'oauthClient', scope: 'scim', secretHash: hashSecret(clientSecret), revokedAt: null,
      label, createdAt: this.now(),
    });
    return { clientId, clientSecret };
  }

  /** The token endpoint's grant (RFC 6749 §4.4). */
  async token(grantType: unknown, clientId: unknown, clientSecret: unknown): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number; scope: string }> {
    if (grantType !== 'client_credentials') throw new OAuthError(400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported');
    if (typeof clientId !== 'string' || typeof clientSecret !== 'string' || !clientId || !clientSecret) {
      throw new OAuthError(401, 'invalid_client', 'Client authentication failed');
    }
    const cred = await this.store.directory.findCredentialById(clientId);
    if (!cred || cred.kind !== 'oauthClient' || !isLive(cred, this.now()) || !sameHash(cred.secretHash, hashSecret(clientSecret))) {
      throw new OAuthError(401, 'invalid_client', 'Client authentication failed');
    }
    const k = this.keys.current;
    const exp = Math.floor(this.now() / 1000) + this.lifetimeSeconds;
    const access = await new SignJWT({ tid: cred.tenantId, site: cred.siteId, scope: 'scim' })
      .setProtectedHeader({ alg: 'HS256', kid: k.id }).setIssuer(ISSUER).setAudience(AUDIENCE).setSubject(cred.id)
      .setJti(randomUUID()).setIssuedAt(Math.floor(this.now() / 1000)).setExpirationTime(exp).sign(k.key);
    this.credentials.touch(cred.id);
    return { access_token: access, token_type: 'Bearer', expires_in: this.lifetimeSeconds, scope: 'scim' };
  }

  /** Verifies an access token and that its client is still live (revoking a client revokes its tokens). */
  async verifyAccessToken(token: string): Promise<Principal | undefined> {
    for (const k of this.keys.all) {
      try {
        const { payload } = await jwtVerify(token, k.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], currentDate: new Date(this.now()) });
        if (typeof payload.sub !== 'string') return undefined;
        const cred = await this.store.directory.findCredentialById(payload.sub);
        if (!cred || cred.kind !== 'oauthClient' || cred.siteId !== payload.site) return undefined;
        return this.credentials.principalOf(cred);
      } catch {
        // next key; expired and forged tokens fail on all of them
      }
    }
    return undefined;
  }

  /** Confirms a client belongs to the site before an admin revokes it. */
  async revokeClient(tenantId: string, siteId: string, clientId: string): Promise<void> {
    const cred = await this.store.directory.findCredentialById(clientId);
    if (!cred || cred.tenantId !== tenantId || cred.siteId !== siteId || cred.kind !== 'oauthClient') {
      throw new AppError('resource.not_found', `OAuth client ${clientId} not found`);
    }
    await this.store.directory.revokeCredential(tenantId, clientId, this.now());
  }
}
