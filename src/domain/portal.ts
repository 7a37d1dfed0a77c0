/**
 * The Customer Portal plane (SPEC §3, TABLEAU-RULES §6 R-CP-01..09, §8 "Customer Portal
 * plane"): portal accounts of a tenant, portal users with a role per account, and product
 * keys. Separate from sites: no site role, seat or SCIM resource ever refers to these.
 */

/** Portal user types, one per account membership (R-CP-01, R-CP-03). */
export const PORTAL_ROLES = ['Administrator', 'LicenseAdministrator', 'DownloadOnly'] as const;
export type PortalRole = (typeof PORTAL_ROLES)[number];

/**
 * Derived personas (R-CP-05). The source lists four, all built from the Administrator and
 * Download Only roles; rolegate adds `LicenseAdministrator` for the third role, whose powers
 * (every key of the account, read-only users) match none of the four.
 */
export const PORTAL_PERSONAS = ['PortalAdministrator', 'LicenseAdministrator', 'GroupManager', 'Individual', 'SupportOnly'] as const;
export type PortalPersona = (typeof PORTAL_PERSONAS)[number];

/** A portal account: belongs to the tenant of the administrator who created it. */
export interface PortalAccount {
  id: string;
  tenantId: string;
  name: string;
  createdAt: number;
  updatedAt: number;
}

/** A portal identity, one per email and tenant; it can belong to several accounts (R-CP-03). */
export interface PortalUser {
  id: string;
  tenantId: string;
  /** Stored as entered; unique per tenant case-insensitively. Editable in rolegate (unlike R-CP-07). */
  email: string;
  firstName: string;
  lastName: string;
  createdAt: number;
  updatedAt: number;
}

/** The per-account part of a portal user: role and the independent flags (R-CP-02, R-CP-06, R-CP-09). */
export interface PortalMembership {
  accountId: string;
  portalUserId: string;
  role: PortalRole;
  caseAdministrator: boolean;
  securityPointOfContact: boolean;
  technicalPointOfContact: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A portal user as seen in one account, with the key counts its persona is derived from. */
export interface PortalMember extends PortalUser, Omit<PortalMembership, 'createdAt' | 'updatedAt' | 'portalUserId'> {
  memberSince: number;
  /** Keys of this account whose owner is this user (Group Manager, R-CP-05). */
  ownedKeyCount: number;
  /** Keys of this account assigned to this user's email (Individual, R-CP-05). */
  assignedKeyCount: number;
}

/** A product key of an account, owned by a portal user and/or assigned to an email (R-CP-05, R-CP-08). */
export interface ProductKey {
  id: string;
  accountId: string;
  product: string;
  ownerPortalUserId: string | null;
  assignedToEmail: string | null;
  createdAt: number;
  updatedAt: number;
}
