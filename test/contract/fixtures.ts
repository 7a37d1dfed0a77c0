/**
 * Builders and seed data shared by the storage contract suites: two tenants, three sites, and
 * records built the way the services build them.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEntry } from '../../src/domain/audit.js';
import { AppError } from '../../src/domain/errors.js';
import type { GroupRecord, MembershipRecord, Scope, UserRecord } from '../../src/domain/types.js';
import type { Store } from '../../src/ports/storage.js';

export const T1 = 'tenant-1';
export const T2 = 'tenant-2';
export const A: Scope = { tenantId: T1, siteId: 'site-a' };
export const B: Scope = { tenantId: T1, siteId: 'site-b' };
export const C: Scope = { tenantId: T2, siteId: 'site-c' };
export const NOW = Date.UTC(2024, 0, 15, 12);

/** A fresh store for every test; `close` also removes what the store left behind. */
export type MakeStore = () => Promise<{ store: Store; close(): Promise<void> }>;

export async function seed(store: Store): Promise<void> {
  await store.directory.insertTenant({ id: T1, name: 'One', createdAt: NOW });
  await store.directory.insertTenant({ id: T2, name: 'Two', createdAt: NOW });
  for (const [s, url] of [[A, 'alpha'], [B, 'beta'], [C, 'alpha']] as const) {
    await store.directory.insertSite({ id: s.siteId, tenantId: s.tenantId, name: url, contentUrl: url, settings: {}, createdAt: NOW });
  }
}

export function user(id: string, userName: string, data: Record<string, unknown> = {}, tenantId = T1): UserRecord {
  return { id, tenantId, userName, externalId: null, displayName: null, data, cloudAdmin: false, createdAt: NOW, updatedAt: NOW };
}

export function membership(userId: string, siteId: string, over: Partial<MembershipRecord> = {}): MembershipRecord {
  return {
    siteId, userId, requestedRole: 'Viewer', siteRole: 'Viewer', active: true, licensed: true, seatTier: 'viewer', authSetting: null,
    idpConfigId: null, source: 'scim', state: 'active', ext: null, floorRole: null, manualRole: null, lastLoginAt: null,
    createdAt: NOW, updatedAt: NOW, version: 1, ...over,
  };
}

export function group(id: string, displayName: string, siteId: string, over: Partial<GroupRecord> = {}): GroupRecord {
  return {
    id, siteId, displayName, externalId: null, minimumSiteRole: null, grantLicenseMode: null, memberCount: 0,
    createdAt: NOW, updatedAt: NOW, version: 1, ...over,
  };
}

export function entry(scope: Scope, over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: randomUUID(), tenantId: scope.tenantId, siteId: scope.siteId, at: NOW, kind: 'event', event: 'UserProvisioned',
    actor: 'test', targetType: 'User', targetId: 'u1', reason: null, requestId: 'req-1', data: { a: 1 }, ...over,
  };
}

/** A user with a membership on `scope`'s site, in one unit of work. */
export async function addUser(store: Store, scope: Scope, id: string, userName: string, data: Record<string, unknown> = {}, over: Partial<MembershipRecord> = {}): Promise<void> {
  await store.transaction(scope, async (w) => {
    if (!(await w.findTenantUserById(id))) await w.insertUser(user(id, userName, data, scope.tenantId));
    await w.insertMembership(membership(id, scope.siteId, over));
  });
}

/** The AppError code a promise rejects with. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return e instanceof AppError ? e.code : `not an AppError: ${(e as Error).message}`;
  }
  return 'resolved';
}
