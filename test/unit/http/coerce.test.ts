/**
 * rolegate's coercion (the schema definition's coerce, keys in schema order) must give the
 * JSON — and the errors — of scimmy's own path, `new SCIMMY.Schemas.User(body, 'in')`, on
 * generated bodies: valid ones, and ones with a wrong type here and there.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { normalizeResourceBody } from '../../../src/http/scim/lenience.js';
import { declareScimSchemas, SCIMMY } from '../../../src/http/scim/schemas.js';
import { coerce } from '../../../src/http/scim/user-input.js';

beforeAll(() => declareScimSchemas({ maxPageSize: 100, maxBodyBytes: 1 << 20, bulkMaxOperations: 10 }));

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const TAB = 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User';
const junk = fc.oneof(fc.string({ maxLength: 6 }), fc.boolean(), fc.integer(), fc.constant(null));
const mostly = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 30 }, { arbitrary: junk as fc.Arbitrary<unknown>, weight: 1 });
const str = mostly(fc.string({ maxLength: 6 }));
const bool = mostly(fc.boolean());

const users = fc.record({
  schemas: fc.constantFrom(['urn:ietf:params:scim:schemas:core:2.0:User'], ['urn:ietf:params:scim:schemas:core:2.0:User', ENT], [ENT], undefined),
  userName: mostly(fc.emailAddress()), externalId: mostly(fc.uuid()), displayName: str, active: bool,
  name: mostly(fc.record({ givenName: str, familyName: str, formatted: str, middleName: str, honorificPrefix: str }, { requiredKeys: [] })),
  emails: mostly(fc.array(fc.record({ value: str, type: fc.constantFrom('work', 'home', 'other', 'weird'), primary: bool, display: str }, { requiredKeys: [] }), { maxLength: 3 })),
  phoneNumbers: fc.array(fc.record({ value: fc.string(), type: fc.constantFrom('work', 'mobile') }, { requiredKeys: [] }), { maxLength: 2 }),
  addresses: fc.array(fc.record({ locality: fc.string(), country: fc.string({ maxLength: 2 }), type: fc.constant('work'), formatted: fc.string(), primary: bool }, { requiredKeys: [] }), { maxLength: 2 }),
  roles: fc.array(fc.record({ value: fc.string(), primary: fc.boolean(), type: str }, { requiredKeys: [] }), { maxLength: 2 }),
  title: str, nickName: str, locale: str, timezone: str, userType: str, preferredLanguage: str,
  profileUrl: fc.constantFrom('https://x.test/p', undefined),
  [ENT]: fc.record({ department: str, employeeNumber: str, manager: mostly(fc.record({ value: fc.string() })), costCenter: str, organization: str }, { requiredKeys: [] }),
  [TAB]: fc.record({ siteRoles: fc.array(fc.record({ value: fc.string() })), entitlements: fc.array(fc.record({ value: fc.string() })) }, { requiredKeys: [] }),
  unknownAttribute: str,
}, { requiredKeys: ['userName'] });

const outcome = (fn: () => unknown) => {
  try {
    return { json: JSON.stringify(fn()) };
  } catch (e) {
    return { error: (e as Error).message };
  }
};

describe("coercion = scimmy's Schema instance path", () => {
  it('same JSON, same key order, same errors on 5,000 generated User bodies', () => {
    let valid = 0;
    fc.assert(fc.property(users, (body) => {
      let normalized: Record<string, unknown>;
      try {
        normalized = normalizeResourceBody('User', body);
      } catch {
        return;
      }
      const theirs = outcome(() => JSON.parse(JSON.stringify(new SCIMMY.Schemas.User(normalized, 'in'))));
      if ('json' in theirs) valid++;
      expect(outcome(() => coerce('User', normalized))).toEqual(theirs);
    }), { numRuns: 5000, seed: 20261122 });
    expect(valid).toBeGreaterThan(1500); // both outcomes are compared: valid bodies and refused ones
  });

  it('Groups too', () => {
    for (const body of [{ displayName: 'G', externalId: 'x' }, { displayName: 5 }, { externalId: 'no name' }]) {
      const normalized = normalizeResourceBody('Group', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], ...body });
      expect(outcome(() => coerce('Group', normalized))).toEqual(outcome(() => JSON.parse(JSON.stringify(new SCIMMY.Schemas.Group(normalized, 'in')))));
    }
  });
});
