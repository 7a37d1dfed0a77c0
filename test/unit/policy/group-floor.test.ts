import { describe, expect, it } from '@jest/globals';
import type { SiteRole } from '../../../src/domain/site-roles.js';
import { evaluateEffectiveTarget, evaluateFloor, type EffectiveTargetInput, type GroupGrant } from '../../../src/policy/group-floor.js';

const g = (groupId: string, minimumSiteRole: SiteRole | null, grantLicenseMode: GroupGrant['grantLicenseMode']): GroupGrant =>
  ({ groupId, minimumSiteRole, grantLicenseMode });

describe('evaluateFloor', () => {
  const table: [string, string, GroupGrant[], boolean, SiteRole | undefined, string[]][] = [
    ['R-GRP-04', 'onSync applies without any sign-in', [g('a', 'Explorer', 'onSync')], false, 'Explorer', ['GROUP_FLOOR', 'GROUP_FLOOR:a']],
    ['R-GRP-01/03', 'onLogin does not apply before the user signs in', [g('a', 'Creator', 'onLogin')], false, undefined, []],
    ['R-GRP-01/03', 'onLogin applies once signed in', [g('a', 'Creator', 'onLogin')], true, 'Creator', ['GROUP_FLOOR', 'GROUP_FLOOR:a']],
    ['R-GRP-05', 'grant off (mode null) never counts', [g('a', 'Creator', null)], true, undefined, []],
    ['R-GRP-05', 'no minimum role never counts', [g('a', null, 'onSync')], true, undefined, []],
    ['R-GRP-05', 'an Unlicensed minimum grants nothing', [g('a', 'Unlicensed', 'onSync')], true, undefined, []],
    ['R-GRP-07', 'several groups resolve to the maximum',
      [g('a', 'Viewer', 'onSync'), g('b', 'ExplorerCanPublish', 'onSync'), g('c', 'Explorer', 'onSync')], false,
      'ExplorerCanPublish', ['GROUP_FLOOR', 'GROUP_FLOOR:b']],
    ['R-GRP-07', 'groups tied at the maximum are all named',
      [g('a', 'Creator', 'onSync'), g('b', 'Creator', 'onLogin'), g('c', 'Viewer', 'onSync')], true,
      'Creator', ['GROUP_FLOOR', 'GROUP_FLOOR:a', 'GROUP_FLOOR:b']],
    ['R-GRP-01/07', 'a higher onLogin group waits for sign-in; the onSync one applies',
      [g('a', 'Viewer', 'onSync'), g('b', 'Creator', 'onLogin')], false, 'Viewer', ['GROUP_FLOOR', 'GROUP_FLOOR:a']],
    ['R-GRP-07', 'no groups: no floor', [], true, undefined, []],
  ];
  it.each(table)('%s %s', (_id, _n, groups, signedIn, floor, reasons) => {
    const d = evaluateFloor(groups, { signedIn });
    expect(d.value).toBe(floor);
    expect(d.reasons).toEqual(reasons);
  });
});

describe('evaluateEffectiveTarget', () => {
  const base: EffectiveTargetInput = { requested: 'Viewer', floor: undefined, event: 'write', requestedChanged: false, demoteOnGroupExit: false };
  type Row = [string, string, Partial<EffectiveTargetInput>, SiteRole, SiteRole | undefined, string[]];
  const table: Row[] = [
    ['R-GRP-06', 'a floor above the request promotes', { floor: 'Explorer', event: 'groupJoin' }, 'Explorer', 'Explorer', ['GROUP_FLOOR_PROMOTION']],
    ['R-GRP-06', 'a floor below the request never demotes', { requested: 'Creator', floor: 'Viewer' }, 'Creator', 'Viewer', []],
    ['R-GRP-06', 'a floor equal to the request is no promotion', { requested: 'Explorer', floor: 'Explorer' }, 'Explorer', 'Explorer', []],
    ['R-GRP-06', 'no floor: the request', { requested: 'Explorer' }, 'Explorer', undefined, []],
    ['R-GRP-01', 'sign-in applies an onLogin floor', { floor: 'Creator', event: 'signIn', currentTarget: 'Viewer' }, 'Creator', 'Creator', ['GROUP_FLOOR_PROMOTION']],
    ['R-GRP-06', 'a write that repeats the request is restored to the floor', { floor: 'Explorer', currentTarget: 'Explorer' }, 'Explorer', 'Explorer', ['GROUP_FLOOR_PROMOTION']],
    ['R-GRP-08', 'group exit keeps the role and flags it',
      { event: 'groupExit', previousFloor: 'Creator', currentTarget: 'Creator' }, 'Creator', 'Creator', ['ROLE_ABOVE_ENTITLEMENT']],
    ['R-GRP-08', 'group exit demotes when the site opts in',
      { event: 'groupExit', previousFloor: 'Creator', currentTarget: 'Creator', demoteOnGroupExit: true }, 'Viewer', undefined, ['GROUP_EXIT_DEMOTED']],
    ['R-GRP-07/08', 'demotion stops at a floor that remains',
      { event: 'groupExit', floor: 'Explorer', previousFloor: 'Creator', currentTarget: 'Creator', demoteOnGroupExit: true },
      'Explorer', 'Explorer', ['GROUP_EXIT_DEMOTED', 'GROUP_FLOOR_PROMOTION']],
    ['R-GRP-07/08', 'exit to a lower remaining floor keeps the higher role',
      { event: 'groupExit', floor: 'Explorer', previousFloor: 'Creator', currentTarget: 'Creator' }, 'Creator', 'Creator', ['ROLE_ABOVE_ENTITLEMENT']],
    ['R-GRP-08', 'exit is silent when the request alone supports the role',
      { requested: 'Creator', event: 'groupExit', previousFloor: 'Creator', currentTarget: 'Creator' }, 'Creator', undefined, []],
    ['R-GRP-08', 'a write without a new request keeps a role whose onLogin floor is not counted',
      { event: 'write', previousFloor: 'Creator', currentTarget: 'Creator' }, 'Creator', 'Creator', ['ROLE_ABOVE_ENTITLEMENT']],
    ['R-GRP-08', 'a kept role stays kept at the next sign-in (floorRole is sticky)',
      { event: 'signIn', previousFloor: 'Creator', currentTarget: 'Creator' }, 'Creator', 'Creator', ['ROLE_ABOVE_ENTITLEMENT']],
    ['R-GRP-08', 'joining a lower-floor group does not undo a kept role',
      { event: 'groupJoin', floor: 'Viewer', previousFloor: 'Creator', currentTarget: 'Creator' }, 'Creator', 'Creator', ['ROLE_ABOVE_ENTITLEMENT']],
    ['R-GRP-08', 'an unknown current target is rebuilt from the previous floor',
      { event: 'groupExit', previousFloor: 'SiteAdministratorExplorer' }, 'SiteAdministratorExplorer', 'SiteAdministratorExplorer', ['ROLE_ABOVE_ENTITLEMENT']],
    ['R-GRP-06/08', 'an explicit new request is honoured down to the current floor',
      { requested: 'Viewer', requestedChanged: true, floor: 'Explorer', previousFloor: 'Creator', currentTarget: 'Creator' },
      'Explorer', 'Explorer', ['GROUP_FLOOR_PROMOTION']],
    ['R-GRP-08', 'an explicit new request with no floor is honoured fully',
      { requested: 'Viewer', requestedChanged: true, event: 'groupExit', previousFloor: 'Creator', currentTarget: 'Creator' }, 'Viewer', undefined, []],
    ['R-GRP-06', 'an explicit promotion above the floor',
      { requested: 'SiteAdministratorCreator', requestedChanged: true, floor: 'Explorer', currentTarget: 'Explorer' }, 'SiteAdministratorCreator', 'Explorer', []],
    ['R-GRP-06', 'a new membership (no current target) gets max(request, floor)',
      { requested: 'Unlicensed', floor: 'Viewer' }, 'Viewer', 'Viewer', ['GROUP_FLOOR_PROMOTION']],
  ];
  it.each(table)('%s %s', (_id, _n, over, target, floorRole, reasons) => {
    const d = evaluateEffectiveTarget({ ...base, ...over });
    expect(d.value).toEqual({ target, floorRole });
    expect(d.reasons).toEqual(reasons);
  });
});
