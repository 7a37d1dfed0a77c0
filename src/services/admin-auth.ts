import { jwtVerify, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { Store } from '../ports/storage.js';
import { hashSecret, isLive, sameHash } from './credentials.js';
import type { SigningKeys } from './signing-keys.js';

export type AdminScope = 'tenantAdmin' | 'siteAdmin' | 'auditor';
export const ADMIN_SCOPES: AdminScope[] = ['tenantAdmin', 'siteAdmin', 'auditor'];

export interface AdminPrincipal {
  tenantId: string;
  scope: AdminScope;
  /** siteAdmin tokens act on one site only. */
  siteId: string | null;
  /** Audit actor, e.g. `admin:<credential or jti>`. */
  actor: string;
}

const ISSUER = 'rolegate';
const AUDIENCE = 'rolegate-admin';

/**
 * Admin bearer tokens: JWTs signed (HS256, jose) with a key kept in the store so every
 * instance verifies them, plus opaque secrets (the bootstrap admin token) stored hashed.
 */
export class AdminAuthService {
  constructor(private readonly store: Store, private readonly keys: SigningKeys) {}

  async issue(p: { tenantId: string; scope: AdminScope; siteId: string | null; subject: string; ttlSeconds: number }): Promise<{ token: string; expiresAt: string }> {
    const current = this.keys.current;
    const exp = Math.floor(Date.now() / 1000) + p.ttlSeconds;
    const token = await new SignJWT({ tid: p.tenantId, scope: p.scope, ...(p.siteId ? { site: p.siteId } : {}) })
      .setProtectedHeader({ alg: 'HS256', kid: current.id })
      .setIssuer(ISSUER).setAudience(AUDIENCE).setSubject(p.subject).setJti(randomUUID()).setIssuedAt().setExpirationTime(exp)
      .sign(current.key);
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** @throws AppError auth.invalid_credentials */
  async verify(token: string): Promise<AdminPrincipal> {
    if (token.split('.').length === 3) {
      for (const k of this.keys.all) {
        try {
          const { payload } = await jwtVerify(token, k.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
          const scope = payload.scope as AdminScope;
          if (typeof payload.tid !== 'string' || !ADMIN_SCOPES.includes(scope)) break;
          return { tenantId: payload.tid, scope, siteId: typeof payload.site === 'string' ? payload.site : null, actor: `admin:${payload.jti ?? payload.sub}` };
        } catch {
          // try the next key; an expired or forged token fails on all of them
        }
      }
      throw new AppError('auth.invalid_credentials', 'The admin token is not valid or has expired');
    }
    const hash = hashSecret(token);
    const cred = await this.store.directory.findCredentialByHash(hash);
    if (!cred || cred.kind !== 'admin' || !isLive(cred, Date.now()) || !sameHash(cred.secretHash, hash)) {
      throw new AppError('auth.invalid_credentials', 'The admin token is not valid');
    }
    return { tenantId: cred.tenantId, scope: (cred.scope as AdminScope) ?? 'auditor', siteId: cred.siteId, actor: `admin:${cred.id}` };
  }
}
