import { describe, expect, it } from '@jest/globals';
import { SITE_ROLES, tierOf, type LicenseTier, type SiteRole } from '../../../src/domain/site-roles.js';
import {
  allocateSeat, allocateServerSeat, borrowedOf, seatDelta, serverModeSeat, TIERS, type Capacity, type SeatRequest, type SeatUsage,
  type ServerSeatRequest,
} from '../../../src/policy/seats.js';

const cap = (creator: number | null, explorer: number | null, viewer: number | null): Capacity => ({ creator, explorer, viewer });
const use = (creator: number, explorer: number, viewer: number): SeatUsage => ({ creator, explorer, viewer });
const none = { seatTier: null, licensed: false };
const holding = (seatTier: LicenseTier) => ({ seatTier, licensed: true });
const req = (over: Partial<SeatRequest>): SeatRequest => ({
  role: 'Viewer', active: true, current: none, capacity: cap(null, null, null), used: use(0, 0, 0), allowBorrow: true, ...over,
});

type Row = [string, string, Partial<SeatRequest>, SiteRole, LicenseTier | null, string[]];
const run = (rows: Row[]) => it.each(rows)('%s %s', (_id, _n, over, siteRole, seatTier, reasons) => {
  const d = allocateSeat(req(over));
  expect(d.value).toEqual({ siteRole, licensed: seatTier !== null, seatTier });
  expect(d.reasons).toEqual(reasons);
});

describe('allocateSeat: own tier, borrowing, exhaustion', () => {
  run([
    ['R-LIC-02', 'a role takes a seat of its own tier', { role: 'Explorer', capacity: cap(5, 5, 5), used: use(1, 1, 1) }, 'Explorer', 'explorer', []],
    ['R-LIC-07', 'unlimited (null) capacity always has room', { role: 'Creator', capacity: cap(null, 0, 0), used: use(100000, 0, 0) }, 'Creator', 'creator', []],
    ['R-REST-18', 'own tier preferred over free higher tiers', { role: 'Viewer', capacity: cap(5, 5, 5), used: use(0, 0, 4) }, 'Viewer', 'viewer', []],
    ['R-REST-18', 'borrows the cheapest free higher tier', { role: 'Viewer', capacity: cap(5, 5, 2), used: use(0, 0, 2) }, 'Viewer', 'explorer', ['SEAT_BORROWED']],
    ['R-REST-18', 'borrows creator when explorer is full too', { role: 'Viewer', capacity: cap(5, 1, 2), used: use(0, 1, 2) }, 'Viewer', 'creator', ['SEAT_BORROWED']],
    ['R-REST-18', "Tableau's example: an Explorer takes a free Creator seat", { role: 'Explorer', capacity: cap(5, 0, 15), used: use(4, 0, 15) }, 'Explorer', 'creator', ['SEAT_BORROWED']],
    ['R-REST-18 R-REST-15', 'no borrowing when the site turns it off', { role: 'Viewer', capacity: cap(5, 5, 2), used: use(0, 0, 2), allowBorrow: false }, 'Unlicensed', null, ['LICENSE_EXHAUSTED']],
    ['R-REST-15 R-REST-17', 'nothing free: Unlicensed, LICENSE_EXHAUSTED', { role: 'Explorer', capacity: cap(1, 1, 9), used: use(1, 1, 0) }, 'Unlicensed', null, ['LICENSE_EXHAUSTED']],
    ['R-REST-15', 'a zero-capacity tier is full', { role: 'Creator', capacity: cap(0, null, null) }, 'Unlicensed', null, ['LICENSE_EXHAUSTED']],
    ['R-LIC-02', 'never takes a lower tier, even when it is free', { role: 'Creator', capacity: cap(1, 10, 10), used: use(1, 0, 0) }, 'Unlicensed', null, ['LICENSE_EXHAUSTED']],
  ]);
});

describe('allocateSeat: R-LIC-02 site-administrator ceilings', () => {
  run([
    ['R-LIC-02', 'SiteAdministratorCreator takes a creator seat', { role: 'SiteAdministratorCreator', capacity: cap(1, 0, 0) }, 'SiteAdministratorCreator', 'creator', []],
    ['R-LIC-02', 'SiteAdministratorCreator never sits on an explorer or viewer seat',
      { role: 'SiteAdministratorCreator', capacity: cap(1, 10, 10), used: use(1, 0, 0) }, 'Unlicensed', null, ['LICENSE_EXHAUSTED']],
    ['R-LIC-02', 'SiteAdministratorCreator drops a held explorer seat for a creator one',
      { role: 'SiteAdministratorCreator', current: holding('explorer'), capacity: cap(1, 1, 0), used: use(0, 1, 0) }, 'SiteAdministratorCreator', 'creator', []],
    ['R-LIC-02', 'SiteAdministratorCreator holding an explorer seat with no creator seat is Unlicensed',
      { role: 'SiteAdministratorCreator', current: holding('explorer'), capacity: cap(1, 1, 0), used: use(1, 1, 0) }, 'Unlicensed', null, ['LICENSE_EXHAUSTED']],
    ['R-LIC-02', 'SiteAdministratorExplorer takes at least an explorer seat',
      { role: 'SiteAdministratorExplorer', capacity: cap(1, 1, 10), used: use(0, 1, 0) }, 'SiteAdministratorExplorer', 'creator', ['SEAT_BORROWED']],
    ['R-LIC-02', 'SiteAdministratorExplorer never sits on a viewer seat',
      { role: 'SiteAdministratorExplorer', capacity: cap(1, 1, 10), used: use(1, 1, 0) }, 'Unlicensed', null, ['LICENSE_EXHAUSTED']],
  ]);
});

describe('allocateSeat: held seats (no churn) and license status', () => {
  run([
    ['R-LIC-07', 'keeps its own seat when the tier is exactly full (used includes it)',
      { role: 'Viewer', current: holding('viewer'), capacity: cap(0, 0, 1), used: use(0, 0, 1) }, 'Viewer', 'viewer', []],
    ['R-LIC-07', 'keeps its own seat even when capacity was lowered below usage',
      { role: 'Viewer', current: holding('viewer'), capacity: cap(0, 0, 2), used: use(0, 0, 5) }, 'Viewer', 'viewer', []],
    ['R-REST-18', 'keeps a borrowed seat while its own tier is still full',
      { role: 'Viewer', current: holding('creator'), capacity: cap(1, 5, 1), used: use(1, 0, 1) }, 'Viewer', 'creator', ['SEAT_BORROWED']],
    ['R-REST-18', 'keeps a borrowed seat when borrowing was since turned off (no churn)',
      { role: 'Viewer', current: holding('explorer'), capacity: cap(0, 1, 1), used: use(0, 1, 1), allowBorrow: false }, 'Viewer', 'explorer', ['SEAT_BORROWED']],
    ['R-REST-18', 'moves down to its own tier once it has room',
      { role: 'Viewer', current: holding('creator'), capacity: cap(1, 5, 2), used: use(1, 0, 1) }, 'Viewer', 'viewer', []],
    ['R-LIC-02', 'a role downgrade moves to the cheaper tier',
      { role: 'Explorer', current: holding('creator'), capacity: cap(5, 5, 5), used: use(3, 2, 0) }, 'Explorer', 'explorer', []],
    ['R-LIC-02 R-REST-15', 'a role upgrade releases the old seat; no higher seat → Unlicensed',
      { role: 'Creator', current: holding('viewer'), capacity: cap(2, 0, 5), used: use(2, 0, 5) }, 'Unlicensed', null, ['LICENSE_EXHAUSTED']],
    ['R-LIC-02', 'a role upgrade takes the higher seat',
      { role: 'Creator', current: holding('viewer'), capacity: cap(3, 0, 5), used: use(2, 0, 5) }, 'Creator', 'creator', []],
    ['R-SCIM-35', 'a seatTier without licensed=true is not a held seat',
      { role: 'Viewer', current: { seatTier: 'viewer', licensed: false }, capacity: cap(0, 0, 1), used: use(0, 0, 1), allowBorrow: false }, 'Unlicensed', null, ['LICENSE_EXHAUSTED']],
    ['R-SCIM-35', 'active=false frees the seat and keeps the role', { role: 'Creator', active: false, current: holding('creator'), used: use(1, 0, 0) }, 'Creator', null, ['LICENSE_REVOKED']],
    ['R-SCIM-35', 'active=false with no seat held: nothing to revoke', { role: 'Creator', active: false }, 'Creator', null, []],
    ['R-SCIM-35', 'active=false needs no capacity', { role: 'Explorer', active: false, capacity: cap(0, 0, 0) }, 'Explorer', null, []],
    ['R-LIC-03', 'Unlicensed takes no seat', { role: 'Unlicensed', capacity: cap(0, 0, 0) }, 'Unlicensed', null, []],
    ['R-LIC-03', 'becoming Unlicensed releases the held seat', { role: 'Unlicensed', current: holding('viewer'), used: use(0, 0, 1) }, 'Unlicensed', null, []],
  ]);

  it('R-LIC-07 R-REST-15 sequential allocation never exceeds capacity', () => {
    const capacity = cap(2, 3, 4);
    let used = use(0, 0, 0);
    const roles = SITE_ROLES.filter((r) => r !== 'Unlicensed');
    for (let i = 0; i < 60; i++) {
      const d = allocateSeat(req({ role: roles[(i * 7) % roles.length]!, capacity, used }));
      const delta = seatDelta(null, d.value.seatTier);
      used = use(used.creator + delta.creator, used.explorer + delta.explorer, used.viewer + delta.viewer);
      for (const t of TIERS) expect(used[t]).toBeLessThanOrEqual(capacity[t]!);
      if (d.value.seatTier) expect(TIERS.indexOf(d.value.seatTier)).toBeGreaterThanOrEqual(TIERS.indexOf(tierOf(d.value.siteRole)!));
    }
    expect(used).toEqual(capacity);
  });
});

describe('seat helpers', () => {
  const deltas: [LicenseTier | null, LicenseTier | null, SeatUsage][] = [
    [null, 'viewer', use(0, 0, 1)], ['creator', null, use(-1, 0, 0)], ['viewer', 'explorer', use(0, 1, -1)],
    ['explorer', 'explorer', use(0, 0, 0)], [null, null, use(0, 0, 0)],
  ];
  it.each(deltas)('R-LIC-07 seatDelta %s → %s', (before, after, expected) => {
    expect(seatDelta(before, after)).toEqual(expected);
  });

  const borrowed: [SiteRole, LicenseTier | null, LicenseTier | null][] = [
    ['Viewer', 'creator', 'creator'], ['Viewer', 'viewer', null], ['Explorer', 'creator', 'creator'],
    ['ExplorerCanPublish', 'explorer', null], ['Creator', 'creator', null], ['Viewer', null, null], ['Unlicensed', 'viewer', 'viewer'],
  ];
  it.each(borrowed)('R-REST-18 borrowedOf(%s, %s) = %s', (role, seat, expected) => {
    expect(borrowedOf(role, seat)).toBe(expected);
  });

  const server: [SiteRole[], LicenseTier | null][] = [
    [['Creator', 'Viewer', 'Viewer'], 'creator'],
    [['Viewer', 'SiteAdministratorExplorer'], 'explorer'],
    [['Viewer'], 'viewer'],
    [['Unlicensed', 'Unlicensed'], null],
    [[], null],
    [['Explorer', 'SiteAdministratorCreator', 'Unlicensed'], 'creator'],
  ];
  it.each(server)('R-LIC-04 server mode: one seat at the highest role across sites %j → %s', (roles, expected) => {
    expect(serverModeSeat(roles)).toBe(expected);
  });
});

describe('allocateServerSeat: one tenant seat per user at the highest role across sites (R-LIC-04)', () => {
  const sreq = (over: Partial<ServerSeatRequest>): ServerSeatRequest => ({
    role: 'Viewer', active: true, licensed: false, userSeat: null, otherRoles: [], capacity: cap(null, null, null), used: use(0, 0, 0), allowBorrow: true, ...over,
  });
  type SRow = [string, Partial<ServerSeatRequest>, { siteRole: SiteRole; licensed: boolean; seatTier: LicenseTier | null; userSeat: LicenseTier | null }, string[]];
  const rows: SRow[] = [
    ['a first licensed membership takes a seat of its tier', { role: 'Explorer', capacity: cap(1, 1, 1) },
      { siteRole: 'Explorer', licensed: true, seatTier: 'explorer', userSeat: 'explorer' }, []],
    ["Creator on one site and Viewer on another: the Viewer membership rides on the user's creator seat", { role: 'Viewer', otherRoles: ['Creator'], userSeat: 'creator', capacity: cap(1, 0, 0), used: use(1, 0, 0) },
      { siteRole: 'Viewer', licensed: true, seatTier: 'viewer', userSeat: 'creator' }, []],
    ['a higher role on a second site moves the seat up, handing the lower one back', { role: 'Creator', otherRoles: ['Viewer'], userSeat: 'viewer', capacity: cap(1, 0, 1), used: use(0, 0, 1) },
      { siteRole: 'Creator', licensed: true, seatTier: 'creator', userSeat: 'creator' }, []],
    ['no seat of the higher tier: this membership waits Unlicensed, the user keeps the seat the other site needs', { role: 'Creator', otherRoles: ['Viewer'], userSeat: 'viewer', capacity: cap(1, 0, 1), used: use(1, 0, 1) },
      { siteRole: 'Unlicensed', licensed: false, seatTier: null, userSeat: 'viewer' }, ['LICENSE_EXHAUSTED']],
    ['an empty pool: LICENSE_EXHAUSTED and no seat', { role: 'Viewer', capacity: cap(0, 0, 0) },
      { siteRole: 'Unlicensed', licensed: false, seatTier: null, userSeat: null }, ['LICENSE_EXHAUSTED']],
    ['losing the highest role moves the seat down when the cheaper tier has room', { role: 'Unlicensed', licensed: true, otherRoles: ['Viewer'], userSeat: 'creator', capacity: cap(1, 0, 5), used: use(1, 0, 0) },
      { siteRole: 'Unlicensed', licensed: false, seatTier: null, userSeat: 'viewer' }, []],
    ['losing the highest role keeps the seat when the cheaper tier is full', { role: 'Unlicensed', licensed: true, otherRoles: ['Viewer'], userSeat: 'creator', capacity: cap(1, 0, 1), used: use(1, 0, 1) },
      { siteRole: 'Unlicensed', licensed: false, seatTier: null, userSeat: 'creator' }, []],
    ['active=false on the only licensed site frees the user seat', { role: 'Explorer', active: false, licensed: true, userSeat: 'explorer', used: use(0, 1, 0) },
      { siteRole: 'Explorer', licensed: false, seatTier: null, userSeat: null }, ['LICENSE_REVOKED']],
    ['a full tier borrows the cheapest free higher tier for the user', { role: 'Viewer', capacity: cap(1, 1, 0), used: use(0, 0, 0) },
      { siteRole: 'Viewer', licensed: true, seatTier: 'viewer', userSeat: 'explorer' }, ['SEAT_BORROWED']],
    ['no borrowing when the pool turns it off', { role: 'Viewer', capacity: cap(1, 1, 0), allowBorrow: false },
      { siteRole: 'Unlicensed', licensed: false, seatTier: null, userSeat: null }, ['LICENSE_EXHAUSTED']],
    ['Unlicensed everywhere: no seat', { role: 'Unlicensed', otherRoles: [] },
      { siteRole: 'Unlicensed', licensed: false, seatTier: null, userSeat: null }, []],
  ];
  it.each(rows)('R-LIC-04 %s', (_n, over, expected, reasons) => {
    const d = allocateServerSeat(sreq(over));
    expect(d.value).toEqual(expected);
    expect(d.reasons).toEqual(reasons);
  });
});
