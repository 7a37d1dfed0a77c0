import { createHash } from 'node:crypto';

/**
 * Audit events (SPEC §7). A closed catalog; one constructor builds every entry so that the
 * shape stays uniform. Secrets and passwords never reach an entry: callers pass diffs of
 * resource attributes, which never contain them (passwords are not stored at all).
 */
export const AUDIT_EVENTS = [
  'UserProvisioned', 'UserUpdated', 'UserRenamed', 'SiteRoleChanged', 'LicenseGranted',
  'LicenseRevoked', 'SeatBorrowed', 'LicenseExhausted', 'RoleAboveEntitlement',
  'MembershipRetainedAsOwner', 'MembershipRemoved', 'UserDeleted', 'UserSignedIn',
  'GroupCreated', 'GroupUpdated', 'GroupDeleted', 'GroupMembersAdded', 'GroupMembersRemoved',
  'GroupFloorChanged', 'ContentRegistered', 'ContentTransferred', 'ContentDeleted',
  'ManualChangeOverwritten', 'CloudAdminChanged',
  'SiteCreated', 'SiteSettingsChanged', 'AuthConfigCreated', 'ScimEnabled', 'ScimSecretRotated',
  'LicenseCapacityChanged', 'RoleMappingChanged', 'PolicyDenied', 'RequestHandled', 'AuditPurged',
  'ImportCompleted', 'PortalChanged',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

export interface AuditEntry {
  id: string;
  tenantId: string;
  siteId: string | null;
  at: number;
  kind: 'event' | 'request';
  event: AuditEvent;
  actor: string | null;
  targetType: 'User' | 'Group' | 'Site' | 'Credential' | 'PortalAccount' | 'PortalUser' | 'ProductKey' | null;
  targetId: string | null;
  reason: string | null;
  requestId: string | null;
  data: Record<string, unknown>;
}

/** An entry as stored: its position in the tenant's chain and the hashes that link it. */
export interface StoredAuditEntry extends AuditEntry {
  seq: number;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/**
 * Tamper evidence (SPEC §7): each entry's hash covers the previous entry's hash and every
 * field of the entry, in a fixed order, so changing, removing or reordering any entry breaks
 * the chain from that point on.
 */
export function auditHash(prevHash: string, e: AuditEntry): string {
  const canonical = JSON.stringify([
    prevHash, e.id, e.tenantId, e.siteId, e.at, e.kind, e.event, e.actor, e.targetType, e.targetId, e.reason, e.requestId,
    sortKeys(e.data),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}
