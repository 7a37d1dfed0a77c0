import { newId } from '../domain/ids.js';
import type { AuditEntry, AuditEvent } from '../domain/audit.js';
import { AppError } from '../domain/errors.js';
import type { PortalAccount, PortalMember, ProductKey } from '../domain/portal.js';
import { evaluatePortalAction, PORTAL_REASONS, type PortalAction, type PortalActor } from '../policy/portal.js';
import type { PortalReader, PortalWriter } from '../ports/portal.js';
import type { Store } from '../ports/storage.js';

/** Who calls the portal endpoints: an admin API token, or a portal token acting as a portal user. */
export type PortalPrincipal =
  | { kind: 'admin'; tenantId: string; scope: 'tenantAdmin' | 'auditor'; actor: string }
  | { kind: 'portalUser'; tenantId: string; portalUserId: string; actor: string };

/** One request: the principal, the request id (for the audit log) and the clock. */
export interface PortalCall {
  principal: PortalPrincipal;
  requestId: string;
  now: () => number;
}

export type Target = { type: NonNullable<AuditEntry['targetType']>; id: string };
type Scope = { account: PortalAccount; actor: PortalActor };

/** A refusal: audited as `PolicyDenied` after the unit of work rolled back, then returned as 403/404. */
class PortalDenied extends AppError {
  constructor(code: 'portal.forbidden' | 'portal.account_not_found' | 'auth.forbidden_scope', message: string, details: Record<string, unknown>, readonly target: Target) {
    super(code, message, details);
  }
}

/**
 * The access half of the portal service: loads the caller's standing in an account, asks
 * `policy/portal.ts`, runs units of work, and audits refusals (`PolicyDenied`, own entry)
 * and changes (`PortalChanged`, same transaction as the change).
 */
export abstract class PortalAccess {
  constructor(protected readonly store: Store) {}

  /** Loads the account and the caller's standing in it, then asks the policy; refusals throw PortalDenied. */
  protected async scope(r: PortalReader, call: PortalCall, accountId: string, action: () => PortalAction, target?: Target): Promise<Scope> {
    const account = await r.findAccountById(accountId);
    if (!account) throw accountNotFound(accountId);
    const p = call.principal;
    let actor: PortalActor;
    if (p.kind === 'admin') actor = { kind: p.scope === 'tenantAdmin' ? 'tenantAdmin' : 'auditor' };
    else {
      const me = await r.findMember(accountId, p.portalUserId);
      actor = { kind: 'portalUser', portalUserId: p.portalUserId, email: me?.email ?? '', role: me?.role ?? null };
    }
    this.check(actor, action(), target ?? { type: 'PortalAccount', id: accountId }, accountId);
    return { account, actor };
  }

  protected check(actor: PortalActor, action: PortalAction, target: Target, accountId = ''): void {
    const d = evaluatePortalAction(actor, action);
    if (d.value === 'allow') return;
    const reason = d.reasons[0] ?? 'PORTAL_DENIED';
    const details = { reason, action: action.type };
    if (d.value === 'notFound') throw new PortalDenied('portal.account_not_found', accountNotFound(accountId).message, details, target);
    if (reason === PORTAL_REASONS.readOnlyToken) throw new PortalDenied('auth.forbidden_scope', 'This operation needs the tenantAdmin scope', details, target);
    throw new PortalDenied('portal.forbidden', `Not allowed: ${action.type} (${reason})`, details, target);
  }

  protected actorWithout(call: PortalCall): PortalActor {
    const p = call.principal;
    if (p.kind === 'admin') return { kind: p.scope === 'tenantAdmin' ? 'tenantAdmin' : 'auditor' };
    return { kind: 'portalUser', portalUserId: p.portalUserId, email: '', role: null };
  }

  protected async member(r: PortalReader, accountId: string, portalUserId: string): Promise<PortalMember> {
    const m = await r.findMember(accountId, portalUserId);
    if (!m) throw userNotFound(portalUserId);
    return m;
  }

  /** The key, or 404: the account itself is checked first, so non-members learn nothing about keys. */
  protected async key(r: PortalReader, call: PortalCall, accountId: string, keyId: string): Promise<ProductKey> {
    const key = await r.findKeyById(accountId, keyId);
    if (key) return key;
    await this.scope(r, call, accountId, () => ({ type: 'account.read' }));
    throw keyNotFound(keyId);
  }

  protected async checkOwner(r: PortalReader, accountId: string, ownerPortalUserId: string | null): Promise<void> {
    if (ownerPortalUserId !== null && !(await r.findMember(accountId, ownerPortalUserId))) {
      throw new AppError('portal.owner_not_member', `Portal user ${ownerPortalUserId} is not a member of this account`, { ownerPortalUserId });
    }
  }

  protected read<T>(call: PortalCall, fn: (r: PortalReader) => Promise<T>): Promise<T> {
    return this.audited(call, () => fn(this.store.portal.reader(call.principal.tenantId)));
  }

  protected write<T>(call: PortalCall, fn: (w: PortalWriter) => Promise<T>): Promise<T> {
    return this.audited(call, () => this.store.portal.transaction(call.principal.tenantId, fn));
  }

  /** Refusals are recorded in their own entry, after the unit of work rolled back (SPEC §7). */
  protected async audited<T>(call: PortalCall, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof PortalDenied) {
        const entry = this.entry(call, 'PolicyDenied', e.target, { code: e.code, ...e.details }, String(e.details?.reason));
        await this.store.portal.transaction(call.principal.tenantId, (w) => w.appendAudit([entry]));
      }
      throw e;
    }
  }

  protected changed(call: PortalCall, target: Target, action: string, accountId: string, before: unknown, after: unknown,
    extra: Record<string, unknown> = {}, reason: string | null = null): AuditEntry {
    return this.entry(call, 'PortalChanged', target, { action, accountId, before, after, ...extra }, reason);
  }

  protected entry(call: PortalCall, event: AuditEvent, target: Target, data: Record<string, unknown>, reason: string | null): AuditEntry {
    return {
      id: newId(), tenantId: call.principal.tenantId, siteId: null, at: call.now(), kind: 'event', event, actor: call.principal.actor,
      targetType: target.type, targetId: target.id || null, reason, requestId: call.requestId, data,
    };
  }
}

export const accountNotFound = (id: string) => new AppError('portal.account_not_found', `Portal account ${id} not found`);
export const userNotFound = (id: string) => new AppError('portal.user_not_found', `Portal user ${id} is not a member of this account`);
export const keyNotFound = (id: string) => new AppError('portal.key_not_found', `Product key ${id} not found in this account`);
