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
  'LicenseCapacityChanged', 'RoleMappingChanged', 'PolicyDenied', 'RequestHandled',
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
  targetType: 'User' | 'Group' | 'Site' | 'Credential' | null;
  targetId: string | null;
  reason: string | null;
  requestId: string | null;
  data: Record<string, unknown>;
}
