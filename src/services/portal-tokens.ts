import { decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { SigningKeys } from './signing-keys.js';

const ISSUER = 'rolegate';
/** A different audience from admin tokens: the admin verifier rejects portal tokens, and this one admin tokens. */
export const PORTAL_AUDIENCE = 'rolegate-portal';

/** Who a verified portal token acts as. */
export interface PortalTokenClaims {
  tenantId: string;
  portalUserId: string;
  jti: string;
}

/**
 * Bearer tokens acting as a portal user on `/api/v1/portal` only (SPEC §6). HS256 JWTs
 * (jose) signed with the store's signing keys (`SigningKeys`, shared with admin and OAuth
 * tokens) under their own audience, so the rest of `/api/v1` (audience `rolegate-admin`) and
 * SCIM (`rolegate-scim`) never accept them, and this verifier accepts neither of theirs.
 */
export class PortalTokenService {
  constructor(private readonly keys: SigningKeys) {}

  /** Signs a token for a portal user of a tenant; the caller decides who may ask for one. */
  async issue(p: { tenantId: string; portalUserId: string; ttlSeconds: number }): Promise<{ token: string; expiresAt: string; jti: string }> {
    const current = this.keys.current;
    const exp = Math.floor(Date.now() / 1000) + p.ttlSeconds;
    const jti = randomUUID();
    const token = await new SignJWT({ tid: p.tenantId, typ: 'portal' })
      .setProtectedHeader({ alg: 'HS256', kid: current.id })
      .setIssuer(ISSUER).setAudience(PORTAL_AUDIENCE).setSubject(p.portalUserId).setJti(jti).setIssuedAt().setExpirationTime(exp)
      .sign(current.key);
    return { token, expiresAt: new Date(exp * 1000).toISOString(), jti };
  }

  /**
   * Verifies a portal token. Returns undefined for anything that does not claim to be one (an
   * admin JWT or an opaque admin secret), so the caller can try admin authentication next.
   * @throws AppError auth.invalid_credentials for a portal token that is forged or expired.
   */
  async verify(token: string): Promise<PortalTokenClaims | undefined> {
    if (token.split('.').length !== 3) return undefined;
    let kid: string | undefined;
    try {
      const aud = decodeJwt(token).aud;
      if (aud !== PORTAL_AUDIENCE && !(Array.isArray(aud) && aud.includes(PORTAL_AUDIENCE))) return undefined;
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return undefined;
    }
    const key = this.keys.all.find((k) => k.id === kid);
    try {
      if (!key) throw new Error('unknown key');
      const { payload } = await jwtVerify(token, key.key, { issuer: ISSUER, audience: PORTAL_AUDIENCE, algorithms: ['HS256'] });
      if (typeof payload.tid !== 'string' || typeof payload.sub !== 'string' || payload.typ !== 'portal') throw new Error('claims');
      return { tenantId: payload.tid, portalUserId: payload.sub, jti: String(payload.jti) };
    } catch {
      throw new AppError('auth.invalid_credentials', 'The portal token is not valid or has expired');
    }
  }
}
