/**
 * Site roles, their rank and license tiers (SPEC §3; TABLEAU-RULES R-LIC-02, R-SCIM-37).
 */
export const SITE_ROLES = [
  'SiteAdministratorCreator', 'Creator', 'SiteAdministratorExplorer', 'ExplorerCanPublish',
  'Explorer', 'Viewer', 'Unlicensed',
] as const;
export type SiteRole = (typeof SITE_ROLES)[number];

/** Roles a client may have used before 2018.1 or that only exist on Tableau Server. */
export const LEGACY_ROLES = [
  'Interactor', 'Publisher', 'SiteAdministrator', 'ViewerWithPublish', 'UnlicensedWithPublish',
  'Guest', 'ReadOnly', 'SupportUser', 'ServerAdministrator',
] as const;

export type LicenseTier = 'creator' | 'explorer' | 'viewer';

const RANK: Record<SiteRole, number> = Object.fromEntries(
  SITE_ROLES.map((r, i) => [r, SITE_ROLES.length - i]),
) as Record<SiteRole, number>;

export const isSiteRole = (v: unknown): v is SiteRole =>
  typeof v === 'string' && (SITE_ROLES as readonly string[]).includes(v);

/** Case-insensitive lookup of a role name as an IdP may send it ("creator" → "Creator"). */
export function canonicalRole(v: string): SiteRole | undefined {
  const lower = v.trim().toLowerCase();
  return SITE_ROLES.find((r) => r.toLowerCase() === lower);
}

export const rankOf = (role: SiteRole): number => RANK[role];

export const highestRole = (roles: SiteRole[]): SiteRole | undefined =>
  roles.reduce<SiteRole | undefined>((best, r) => (best === undefined || RANK[r] > RANK[best] ? r : best), undefined);

export function tierOf(role: SiteRole): LicenseTier | undefined {
  switch (role) {
    case 'SiteAdministratorCreator': case 'Creator': return 'creator';
    case 'SiteAdministratorExplorer': case 'ExplorerCanPublish': case 'Explorer': return 'explorer';
    case 'Viewer': return 'viewer';
    default: return undefined;
  }
}
