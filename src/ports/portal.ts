import type { AuditEntry } from '../domain/audit.js';
import type { PortalAccount, PortalMember, PortalMembership, PortalUser, ProductKey } from '../domain/portal.js';

/**
 * Reads of the Customer Portal plane of one tenant. Bound to a tenant: no method can reach
 * another tenant's accounts, portal users or keys.
 */
export interface PortalReader {
  readonly tenantId: string;
  findAccounts(): Promise<PortalAccount[]>;
  findAccountById(accountId: string): Promise<PortalAccount | undefined>;
  /** Accounts the portal user belongs to, with its role in each (R-CP-03). */
  findAccountsOfUser(portalUserId: string): Promise<(PortalAccount & { member: PortalMember })[]>;
  findUserById(portalUserId: string): Promise<PortalUser | undefined>;
  /** Case-insensitive. */
  findUserByEmail(email: string): Promise<PortalUser | undefined>;
  /** The user as a member of the account, with its key counts there; undefined when not a member. */
  findMember(accountId: string, portalUserId: string): Promise<PortalMember | undefined>;
  /** Every member of the account, oldest membership first. */
  findMembers(accountId: string): Promise<PortalMember[]>;
  /** Keys of the account, oldest first. */
  findKeys(accountId: string): Promise<ProductKey[]>;
  findKeyById(accountId: string, keyId: string): Promise<ProductKey | undefined>;
}

/** Writes inside one unit of work (one transaction, audit entries included). */
export interface PortalWriter extends PortalReader {
  insertAccount(a: PortalAccount): Promise<void>;
  /** @throws AppError portal.email_taken when the email is used by another portal user of the tenant. */
  insertUser(u: PortalUser): Promise<void>;
  /** @throws AppError portal.email_taken on an email change onto a taken email. */
  updateUser(u: PortalUser): Promise<void>;
  deleteUser(portalUserId: string): Promise<void>;
  insertMembership(m: PortalMembership): Promise<void>;
  updateMembership(m: PortalMembership): Promise<void>;
  deleteMembership(accountId: string, portalUserId: string): Promise<void>;
  countMembershipsOfUser(portalUserId: string): Promise<number>;
  insertKey(k: ProductKey): Promise<void>;
  updateKey(k: ProductKey): Promise<void>;
  deleteKey(accountId: string, keyId: string): Promise<void>;
  /**
   * Rewrites `assignedToEmail` from `from` to `to` (case-insensitive match) on the keys of the
   * given accounts; returns the ids of the keys changed.
   */
  reassignKeysByEmail(accountIds: string[], from: string, to: string, at: number): Promise<string[]>;
  /** Clears the owner of the account's keys owned by the user; returns the ids of the keys changed. */
  releaseOwnedKeys(accountId: string, portalUserId: string, at: number): Promise<string[]>;
  /** Appends audit entries to the tenant's chain, in the same transaction as the change. */
  appendAudit(entries: AuditEntry[]): Promise<void>;
}

/** The Customer Portal persistence port (SPEC §3 "Customer portal plane"). */
export interface PortalStore {
  reader(tenantId: string): PortalReader;
  /** Runs `fn` in one transaction; everything it wrote commits together or not at all. */
  transaction<T>(tenantId: string, fn: (w: PortalWriter) => Promise<T>): Promise<T>;
}
