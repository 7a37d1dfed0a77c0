/**
 * The admin API client: the token lives in sessionStorage (gone when the tab closes), is sent
 * as a bearer token, and is dropped on a 401 so the console falls back to the sign-in form.
 */

const TOKEN_KEY = 'rolegate.console.token';

/** The API base, relative to the console (`/console/` → `/api/v1/`). */
const API = new URL('../api/v1/', document.baseURI);

/** An admin API error (`{code, message, details}`) or a network failure. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** The stored admin token, if signed in. */
export const token = (): string | null => sessionStorage.getItem(TOKEN_KEY);

/** Stores the token (sign-in). */
export const signIn = (t: string): void => sessionStorage.setItem(TOKEN_KEY, t);

/** Forgets the token (sign-out). */
export const signOut = (): void => sessionStorage.removeItem(TOKEN_KEY);

let onUnauthorized: (message: string) => void = () => undefined;

/** What to do when the API rejects the token (the shell shows the sign-in form). */
export function whenUnauthorized(fn: (message: string) => void): void {
  onUnauthorized = fn;
}

/** Query parameters; empty and undefined values are left out. */
export type Query = Record<string, string | number | undefined | null>;

/** GET an admin API path (`sites`, `audit`, …) with query parameters; resolves the JSON body. */
export async function get<T>(path: string, query: Query = {}, bearer = token()): Promise<T> {
  const url = new URL(path, API);
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${bearer ?? ''}`, accept: 'application/json' }, cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network', 'rolegate did not answer (network error).');
  }
  const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string; detail?: string };
  if (!res.ok) {
    const err = new ApiError(res.status, body.code ?? `http_${res.status}`, body.message ?? body.detail ?? `HTTP ${res.status}`);
    if (res.status === 401 && bearer === token()) {
      signOut();
      onUnauthorized(`Signed out: ${err.message}`);
    }
    throw err;
  }
  return body as T;
}

// ---- shapes of the API answers the console reads ------------------------------------------

/** A site of the tenant. */
export interface Site { id: string; name: string; contentUrl: string }

/** Seat counts per license tier; a null capacity is unlimited. */
export interface Tiers<T = number> { creator: T; explorer: T; viewer: T }

/** One site's license usage. */
export interface LicenseUsage { siteId: string; siteName: string; capacity: Tiers<number | null>; used: Tiers; borrowed: Tiers }

/** An audit log entry (event or request). */
export interface AuditEntry {
  id: string; seq: number; at: string; siteId: string | null; kind: 'event' | 'request'; event: string;
  actor: string | null; targetType: string | null; targetId: string | null; reason: string | null;
  requestId: string | null; data: Record<string, unknown>; prevHash: string; hash: string;
}

/** A page of the audit log, newest first. */
export interface AuditPage { entries: AuditEntry[]; nextCursor: string | null }

/** One site membership of a user. */
export interface Membership {
  siteId: string; requestedSiteRole: string; siteRole: string; licensed: boolean; active: boolean;
  seatTier: string | null; authSetting: string | null; state: string; floorRole: string | null;
  manualRole: string | null; lastLogin: string | null; ownedContentCount: number;
}

/** The admin view of a user. */
export interface UserView { id: string; userName: string; displayName: string | null; cloudAdmin: boolean; memberships: Membership[] }

/** A membership row of the seat reports. */
export interface SeatRow {
  siteId: string; userId: string; userName: string; requestedSiteRole: string; siteRole: string; licensed: boolean;
  seatTier: string | null; state: string; ownedContentCount: number; lastLogin: string | null; since: string | null;
}

let sitesCache: Promise<Site[]> | undefined;

/** The tenant's sites (fetched once per sign-in). */
export function sites(): Promise<Site[]> {
  sitesCache ??= get<{ sites: Site[] }>('sites').then((r) => r.sites);
  sitesCache.catch(() => { sitesCache = undefined; });
  return sitesCache;
}

/** Keeps the sites the sign-in check already fetched. */
export function primeSites(list: Site[]): void {
  sitesCache = Promise.resolve(list);
}

/** Forgets cached answers (on sign-out). */
export function clearCache(): void {
  sitesCache = undefined;
}
