/**
 * The simple-PATCH fast path coerces only the attributes a PATCH changed. It must hand the
 * services exactly what the full coercion of the patched resource would (toUserInput), and
 * refuse exactly what it refuses: compared on generated users and generated simple patches.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { SiteUser } from '../../../src/domain/types.js';
import { AppError } from '../../../src/domain/errors.js';
import { applySimpleOps, parsePatchRequest } from '../../../src/http/scim/patch.js';
import { declareScimSchemas } from '../../../src/http/scim/schemas.js';
import { userToScim } from '../../../src/http/scim/serialize.js';
import { coerce, toPatchedUserInput, toUserInput } from '../../../src/http/scim/user-input.js';

const BASE = 'https://scim.example.test/scim/v2';
const TABLEAU = 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
beforeAll(() => declareScimSchemas({ maxPageSize: 100, maxBodyBytes: 1 << 20, bulkMaxOperations: 10 }));

/** The stored user as the services keep it, then shown the way the PATCH path shows it. */
function stored(body: Record<string, unknown>): Record<string, unknown> {
  const input = toUserInput({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], ...body });
  const su: SiteUser = {
    user: { id: 'u1', tenantId: 't', userName: input.userName, externalId: input.externalId, displayName: input.displayName, data: input.data, cloudAdmin: false, createdAt: 1e12, updatedAt: 1e12 },
    membership: {
      siteId: 's', userId: 'u1', requestedRole: 'Viewer', siteRole: 'Viewer', active: input.active, licensed: input.active, seatTier: 'viewer',
      authSetting: null, idpConfigId: null, source: 'scim', state: 'active', ext: input.ext, floorRole: null, manualRole: null, lastLoginAt: null,
      createdAt: 1e12, updatedAt: 1e12, version: 1,
    },
  };
  return userToScim(su, undefined, BASE) as Record<string, unknown>;
}

const outcome = (fn: () => unknown) => {
  try {
    return { ok: fn() };
  } catch (e) {
    return { error: e instanceof AppError ? [e.code, e.message] : String(e) };
  }
};

const users = fc.record({
  userName: fc.emailAddress(),
  displayName: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
  externalId: fc.option(fc.uuid(), { nil: undefined }),
  title: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
  active: fc.boolean(),
  emails: fc.option(fc.constant([{ value: 'a@x.test', type: 'work', primary: true }]), { nil: undefined }),
  name: fc.option(fc.record({ givenName: fc.string({ maxLength: 8 }), familyName: fc.string({ maxLength: 8 }) }), { nil: undefined }),
  [ENTERPRISE]: fc.option(fc.record({ department: fc.string({ maxLength: 8 }) }), { nil: undefined }),
  [TABLEAU]: fc.option(fc.constant({ siteRoles: [{ value: 'Creator' }] }), { nil: undefined }),
}, { requiredKeys: ['userName', 'active'] });

const values = fc.oneof(fc.boolean(), fc.constantFrom('True', 'false', 'yes', ''), fc.string({ maxLength: 12 }), fc.integer(), fc.constant(null),
  fc.constant('2024-01-02T03:04:05Z'), fc.constant('not a date'));
const paths = fc.constantFrom('active', 'displayName', 'title', 'nickName', 'userName', 'externalId', 'userType', 'preferredLanguage', 'locale',
  'timezone', 'profileUrl', 'urn:ietf:params:scim:schemas:core:2.0:User:displayName', 'Active', 'DISPLAYNAME');
const ops = fc.array(fc.record({ op: fc.constantFrom('replace', 'add', 'remove', 'Replace'), path: paths, value: values }), { minLength: 1, maxLength: 4 });

describe('simple-PATCH fast path = full coercion of the patched resource', () => {
  it('hands over the same input, or refuses with the same error (3,000 generated cases)', () => {
    let fast = 0;
    fc.assert(fc.property(users, ops, (body, operations) => {
      const parsed = outcome(() => parsePatchRequest('User', { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations }));
      if (!('ok' in parsed)) return;
      const applied = applySimpleOps(stored(body as Record<string, unknown>), parsed.ok as ReturnType<typeof parsePatchRequest>);
      if (!applied) return;
      fast++;
      expect(outcome(() => toPatchedUserInput(applied.resource, applied.changed))).toEqual(outcome(() => toUserInput(applied.resource)));
    }), { numRuns: 3000, seed: 20261122 });
    expect(fast).toBeGreaterThan(1000); // the comparison really ran on the fast path
  });

  it.each([
    ['active false', [{ op: 'replace', path: 'active', value: false }]],
    ['removing the required userName', [{ op: 'remove', path: 'userName' }]],
    ['a number for displayName', [{ op: 'replace', path: 'displayName', value: 7 }]],
    ['a non-boolean active', [{ op: 'replace', path: 'active', value: 'maybe' }]],
  ])('%s', (_name, operations) => {
    const resource = stored({ userName: 'a@x.test', displayName: 'A', [ENTERPRISE]: { department: 'D' } });
    const applied = applySimpleOps(resource, parsePatchRequest('User', { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations }))!;
    expect(applied).toBeDefined();
    expect(outcome(() => toPatchedUserInput(applied.resource, applied.changed))).toEqual(outcome(() => toUserInput(applied.resource)));
  });

  it('the coerced form itself is what the full path would store', () => {
    const plain = coerce('User', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'b@x.test', active: true });
    expect(toPatchedUserInput({ ...plain, active: false }, ['active'])).toEqual(toUserInput({ ...plain, active: false }));
  });
});
