import { beforeAll, describe, expect, it } from '@jest/globals';
import { declareScimSchemas, SCIMMY } from '../../../src/http/scim/schemas.js';
import { groupToScim, userToScim } from '../../../src/http/scim/serialize.js';
import { coerce } from '../../../src/http/scim/user-input.js';
import type { SiteUser } from '../../../src/domain/types.js';

const BASE = 'https://scim.example.test/scim/v2';
beforeAll(() => declareScimSchemas({ maxPageSize: 100, maxBodyBytes: 1 << 20, bulkMaxOperations: 10 }));

const fixtures: Record<string, unknown>[] = [
  { userName: 'min@x.test' },
  {
    userName: 'full@x.test', externalId: 'e1', displayName: 'Full User', nickName: 'fu', title: 'Analyst', locale: 'en-US',
    name: { formatted: 'F U', familyName: 'U', givenName: 'F' },
    emails: [{ value: 'full@x.test', type: 'work', primary: true }, { value: 'h@x.test', type: 'home' }],
    phoneNumbers: [{ value: '+1 555', type: 'mobile' }],
    addresses: [{ type: 'work', streetAddress: '1 Main', locality: 'Town', country: 'US', formatted: 'line1\nline2' }],
    roles: [{ value: 'Creator', primary: true }],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Finance', manager: { value: 'm1' } },
  },
];

describe('hand-written serialisers produce the same JSON as scimmy', () => {
  it.each(fixtures.map((f) => [f.userName, f]))('user %s', (_name, fixture) => {
    const plain = coerce('User', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], ...(fixture as object) });
    const { userName, externalId, displayName, active: _a, schemas: _s, ...data } = plain as Record<string, unknown>;
    const su: SiteUser = {
      user: { id: 'u1', tenantId: 't', userName: userName as string, externalId: (externalId as string) ?? null, displayName: (displayName as string) ?? null, data, createdAt: 1e12, updatedAt: 1e12 + 5 },
      membership: { siteId: 's', userId: 'u1', requestedRole: 'Viewer', siteRole: 'Viewer', active: true, licensed: true, seatTier: 'viewer', authSetting: null, idpConfigId: null, source: 'scim', state: 'active', ext: null, createdAt: 1e12, updatedAt: 1e12 + 5, version: 3 },
    };
    const groups = [{ value: 'g1', display: 'Group One' }];
    const ours = userToScim(su, groups, BASE);
    const theirs = new SCIMMY.Schemas.User({ ...ours }, 'out', `${BASE}/Users`);
    expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
  });

  it('group with members', () => {
    const g = {
      group: { id: 'g1', siteId: 's', displayName: 'Sales', externalId: 'x', minimumSiteRole: null, grantLicenseMode: null, memberCount: 2, createdAt: 1e12, updatedAt: 1e12, version: 2 },
      members: [{ value: 'u1', type: 'User' as const, display: 'VP' }, { value: 'u2', type: 'User' as const, display: null }],
    };
    const ours = groupToScim(g, BASE);
    const theirs = new SCIMMY.Schemas.Group({ ...ours }, 'out', `${BASE}/Groups`);
    expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
  });
});
