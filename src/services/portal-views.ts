import type { PortalAccount, PortalMember, PortalPersona, PortalRole, ProductKey } from '../domain/portal.js';
import { derivePersona } from '../policy/portal.js';

/** A portal account as the API returns it; `role`/`persona` are the caller's own, for portal-user callers. */
export interface PortalAccountView {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  role?: PortalRole;
  persona?: PortalPersona;
}

/** A portal user in one account, with the derived persona (R-CP-05). */
export interface PortalUserView {
  id: string;
  accountId: string;
  email: string;
  firstName: string;
  lastName: string;
  role: PortalRole;
  caseAdministrator: boolean;
  securityPointOfContact: boolean;
  technicalPointOfContact: boolean;
  persona: PortalPersona;
  ownedKeyCount: number;
  assignedKeyCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface ProductKeyView {
  id: string;
  accountId: string;
  product: string;
  ownerPortalUserId: string | null;
  assignedToEmail: string | null;
  createdAt: string;
  updatedAt: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function accountView(a: PortalAccount, member?: PortalMember): PortalAccountView {
  return {
    id: a.id, name: a.name, createdAt: iso(a.createdAt), updatedAt: iso(a.updatedAt),
    ...(member ? { role: member.role, persona: derivePersona(member) } : {}),
  };
}

export function userView(m: PortalMember): PortalUserView {
  return {
    id: m.id, accountId: m.accountId, email: m.email, firstName: m.firstName, lastName: m.lastName, role: m.role,
    caseAdministrator: m.caseAdministrator, securityPointOfContact: m.securityPointOfContact, technicalPointOfContact: m.technicalPointOfContact,
    persona: derivePersona(m), ownedKeyCount: m.ownedKeyCount, assignedKeyCount: m.assignedKeyCount,
    createdAt: iso(m.memberSince), updatedAt: iso(m.updatedAt),
  };
}

export function keyView(k: ProductKey): ProductKeyView {
  return {
    id: k.id, accountId: k.accountId, product: k.product, ownerPortalUserId: k.ownerPortalUserId, assignedToEmail: k.assignedToEmail,
    createdAt: iso(k.createdAt), updatedAt: iso(k.updatedAt),
  };
}

/** The audited shape of a member: what an administrator changes (no counts, no timestamps). */
export function memberAudit(m: PortalMember) {
  return {
    email: m.email, firstName: m.firstName, lastName: m.lastName, role: m.role, caseAdministrator: m.caseAdministrator,
    securityPointOfContact: m.securityPointOfContact, technicalPointOfContact: m.technicalPointOfContact,
  };
}

/** The fields of `after` that differ from `before`, as a `{before, after}` pair of partial objects. */
export function diff<T extends Record<string, unknown>>(before: T, after: T): { before: Partial<T>; after: Partial<T> } {
  const b: Partial<T> = {};
  const a: Partial<T> = {};
  for (const k of Object.keys(after) as (keyof T)[]) {
    if (before[k] !== after[k]) { b[k] = before[k]; a[k] = after[k]; }
  }
  return { before: b, after: a };
}
