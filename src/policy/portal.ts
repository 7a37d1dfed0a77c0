import type { PortalPersona, PortalRole, ProductKey } from '../domain/portal.js';
import { decide, type Decision } from './decision.js';

/**
 * Customer Portal permissions (TABLEAU-RULES §6, R-CP-01..09): who may see and change
 * accounts, portal users and product keys, and the derived persona of a portal user.
 * Pure functions; the service loads the facts and turns a refusal into 403 / 404.
 */

/** Who is acting on one account: an admin API token, or a portal user with (or without) a membership there. */
export type PortalActor =
  | { kind: 'tenantAdmin' }
  /** An admin token with the read-only `auditor` scope. */
  | { kind: 'auditor' }
  | { kind: 'portalUser'; portalUserId: string; email: string; role: PortalRole | null };

/** The facts about a key that permissions depend on. */
export type KeyRef = Pick<ProductKey, 'ownerPortalUserId' | 'assignedToEmail'>;

export type PortalAction =
  | { type: 'account.create' }
  | { type: 'account.read' }
  | { type: 'token.issue' }
  | { type: 'user.list' }
  | { type: 'user.read'; portalUserId: string }
  /** Add, edit or remove a portal user of the account; `grantsCaseAdministrator` when the write turns the flag on. */
  | { type: 'user.write'; grantsCaseAdministrator: boolean }
  /** List keys; `forPortalUserId` asks for one user's keys (owned or assigned). */
  | { type: 'key.list'; forPortalUserId?: string }
  | { type: 'key.read'; key: KeyRef }
  | { type: 'key.create' }
  | { type: 'key.update'; key: KeyRef; changes: { product: boolean; owner: boolean; assignment: boolean } }
  | { type: 'key.delete'; key: KeyRef };

/** `notFound` hides the account from non-members (R-CP-03: access is per account). */
export type PortalVerdict = 'allow' | 'forbidden' | 'notFound';

/** Reason codes of portal refusals (audited with `PolicyDenied`, returned in `details.reason`). */
export const PORTAL_REASONS = {
  notMember: 'PORTAL_NOT_A_MEMBER',
  readOnlyToken: 'PORTAL_READ_ONLY_TOKEN',
  tenantAdminOnly: 'PORTAL_TENANT_ADMIN_ONLY',
  usersAdministratorOnly: 'PORTAL_USER_MANAGEMENT_ADMINISTRATOR_ONLY',
  caseAdminGrantAdministratorOnly: 'PORTAL_CASE_ADMIN_GRANT_ADMINISTRATOR_ONLY',
  userListNotAllowed: 'PORTAL_USER_LIST_NOT_ALLOWED',
  otherUsersKeys: 'PORTAL_OTHER_USERS_KEYS',
  keyNotVisible: 'PORTAL_KEY_NOT_VISIBLE',
  keyManagementNotAllowed: 'PORTAL_KEY_MANAGEMENT_NOT_ALLOWED',
  groupManagerAssignsOnly: 'PORTAL_GROUP_MANAGER_ASSIGNS_ONLY',
} as const;

const R = PORTAL_REASONS;
const allow = (): Decision<PortalVerdict> => decide('allow');
const forbid = (reason: string): Decision<PortalVerdict> => decide('forbidden', reason);

/** Case-insensitive email comparison (emails are matched the way they are unique: per tenant, ignoring case). */
export const sameEmail = (a: string | null | undefined, b: string | null | undefined): boolean =>
  !!a && !!b && a.toLowerCase() === b.toLowerCase();

/**
 * R-CP-05: the persona of a portal user in one account.
 * Administrator → PortalAdministrator; LicenseAdministrator → LicenseAdministrator (rolegate's
 * choice: it manages every key but no users, which none of the four source personas describes);
 * DownloadOnly → GroupManager when it owns a key, else Individual when a key is assigned to its
 * email, else SupportOnly. Ownership wins over assignment: an owner manages, an assignee only views.
 */
export function derivePersona(m: { role: PortalRole; ownedKeyCount: number; assignedKeyCount: number }): PortalPersona {
  switch (m.role) {
    case 'Administrator': return 'PortalAdministrator';
    case 'LicenseAdministrator': return 'LicenseAdministrator';
    case 'DownloadOnly':
      if (m.ownedKeyCount > 0) return 'GroupManager';
      return m.assignedKeyCount > 0 ? 'Individual' : 'SupportOnly';
  }
}

/** R-CP-01/05: Administrators and License Administrators see every key; Download Only users the keys they own or are assigned. */
export function keyVisibleTo(actor: PortalActor, key: KeyRef): boolean {
  if (actor.kind !== 'portalUser') return true;
  if (actor.role === null) return false;
  if (actor.role !== 'DownloadOnly') return true;
  return key.ownerPortalUserId === actor.portalUserId || sameEmail(key.assignedToEmail, actor.email);
}

/** Whether a key belongs to a given portal user: owned by them or assigned to their email. */
export const keyBelongsTo = (key: KeyRef, user: { id: string; email: string }): boolean =>
  key.ownerPortalUserId === user.id || sameEmail(key.assignedToEmail, user.email);

/**
 * Decides whether `actor` may perform `action` on an account (R-CP-01, R-CP-02, R-CP-04, R-CP-05).
 * Tenant admins may do everything; auditor tokens only read; portal users act by their role in
 * the account, and a portal user without a membership there does not see the account at all.
 */
export function evaluatePortalAction(actor: PortalActor, action: PortalAction): Decision<PortalVerdict> {
  const reads = action.type === 'account.read' || action.type === 'user.list' || action.type === 'user.read'
    || action.type === 'key.list' || action.type === 'key.read';
  if (actor.kind === 'tenantAdmin') return allow();
  if (actor.kind === 'auditor') return reads ? allow() : forbid(R.readOnlyToken);
  // Creating accounts and minting tokens are tenant administration, never portal self-service.
  if (action.type === 'account.create') return forbid(R.tenantAdminOnly);
  // A non-member learns nothing of an account, not even that it exists: checked before what the action needs.
  if (actor.role === null) return decide('notFound', R.notMember);
  if (action.type === 'token.issue') return forbid(R.tenantAdminOnly);
  const role = actor.role;

  switch (action.type) {
    case 'account.read':
      return allow();
    case 'user.list':
      // R-CP-01: Administrators and License Administrators see the account's users; Download Only does not.
      return role === 'DownloadOnly' ? forbid(R.userListNotAllowed) : allow();
    case 'user.read':
      return role !== 'DownloadOnly' || action.portalUserId === actor.portalUserId ? allow() : forbid(R.userListNotAllowed);
    case 'user.write':
      // R-CP-04: only an Administrator manages portal users; R-CP-01/02: only it grants Case Administrator.
      if (role === 'Administrator') return allow();
      return forbid(action.grantsCaseAdministrator ? R.caseAdminGrantAdministratorOnly : R.usersAdministratorOnly);
    case 'key.list':
      if (role !== 'DownloadOnly' || action.forPortalUserId === undefined || action.forPortalUserId === actor.portalUserId) return allow();
      return forbid(R.otherUsersKeys);
    case 'key.read':
      return keyVisibleTo(actor, action.key) ? allow() : forbid(R.keyNotVisible);
    case 'key.create':
    case 'key.delete':
      // R-CP-01: Administrators (grant access to keys) and License Administrators (manage keys).
      return role === 'DownloadOnly' ? forbid(R.keyManagementNotAllowed) : allow();
    case 'key.update': {
      if (role !== 'DownloadOnly') return allow();
      // R-CP-05: a Group Manager manages the keys it owns: it hands them out by email, nothing more.
      if (action.key.ownerPortalUserId !== actor.portalUserId) return forbid(keyVisibleTo(actor, action.key) ? R.keyManagementNotAllowed : R.keyNotVisible);
      return action.changes.product || action.changes.owner ? forbid(R.groupManagerAssignsOnly) : allow();
    }
  }
}
