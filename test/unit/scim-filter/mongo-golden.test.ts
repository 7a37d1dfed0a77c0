/**
 * The hand-checked cases of golden-cases.ts (shared with golden.test.ts) and the
 * injection payloads of injection.test.ts, through filterToMongo + mingo: the Mongo path must
 * give the expected answers, the SQL path's ids, and treat every payload as a plain value.
 */
import { parseFilter } from '../../../src/scim-filter/parse.js';
import { filterToMongo } from '../../../src/scim-filter/to-mongo.js';
import { SITE_A, TENANT, buildFixture, fixtureFrom } from './fixtures.js';
import { CASES, fx } from './golden-cases.js';
import { mongoFixture, mongoIds, sqlIds } from './mongo-docs.js';

const mx = mongoFixture(fx);

describe.each(CASES)('%s', (filter, expectBarbara, expectMinimal) => {
  it('Mongo translation (mingo) gives the hand-checked answer and the SQL ids', () => {
    const ids = mongoIds(mx, filter, 'User', SITE_A);
    expect([ids.includes('u-Bj'), ids.includes('u-min')]).toEqual([expectBarbara, expectMinimal]);
    expect(ids).toEqual(sqlIds(fx, filter, 'User', SITE_A));
  });
});

const small = buildFixture(3, 40);
const smallMx = mongoFixture(small);
const PAYLOADS = [
  "x' OR 1=1 --", '"); DROP TABLE users; --', "'; DELETE FROM users; SELECT '", "%' OR '1'='1", "x') OR ('1'='1", '\\',
  "' UNION SELECT id FROM users --", '.*', '^', '$where', '{"$gt": ""}', 'a|b', '(?=x)', 'x\u0001y\ny', '[a-z]+', '\\x00',
];
// Operators a translated filter may contain; anything else would mean a value became structure.
const OPERATORS = new Set(['$and', '$or', '$nor', '$elemMatch', '$regex', '$nin', '$ne', '$gt', '$gte', '$lt', '$lte', '$exists', '$type']);

function keysOf(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => keysOf(x, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push(k); keysOf(x, out); }
  return out;
}

describe('injection through the Mongo translation', () => {
  const json = (s: string) => JSON.stringify(s);
  it.each(PAYLOADS.flatMap((p) => [
    `userName eq ${json(p)}`, `displayName co ${json(p)}`, `title sw ${json(p)}`, `externalId ew ${json(p)}`,
    `emails[type eq ${json(p)}].value eq ${json(p)}`, `name.familyName gt ${json(p)}`,
    `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department ne ${json(p)}`,
  ].map((f) => [f, p])))('%s is a plain value', (filter, payload) => {
    const { lookups, query } = filterToMongo(parseFilter(filter), 'User', { tenantId: TENANT, siteId: SITE_A });
    expect(lookups).toEqual([]);
    for (const k of keysOf(query)) {
      if (k.startsWith('$')) expect(OPERATORS.has(k)).toBe(true);
      else expect(k).toMatch(/^(u\.|s\.|userId$|active$|siteRole$|createdAt$|updatedAt$|type$|value$)/);
    }
    const ids = mongoIds(smallMx, filter, 'User', SITE_A);
    expect(ids).toEqual(sqlIds(small, filter, 'User', SITE_A));
    if (!/ (ne|gt) /.test(filter)) expect(ids).toEqual([]);
    expect(payload.length).toBeGreaterThan(0);
  });

  it('a regex operand matches itself only', () => {
    const users = fixtureFrom([{ id: 'u-1', userName: 'a.b@x', externalId: null, displayName: 'a+b (c)', data: { title: 'x.*y' },
      memberships: [{ siteId: SITE_A, active: true, role: 'Viewer', created: 0, updated: 0, version: 1 }] }], []);
    const m = mongoFixture(users);
    expect(mongoIds(m, 'displayName co "+b (c"', 'User', SITE_A)).toEqual(['u-1']);
    expect(mongoIds(m, 'title co "x.*y"', 'User', SITE_A)).toEqual(['u-1']);
    expect(mongoIds(m, 'title sw ".*"', 'User', SITE_A)).toEqual([]);
    expect(mongoIds(m, 'userName ew "."', 'User', SITE_A)).toEqual([]);
    expect(mongoIds(m, 'userName sw "a.b"', 'User', SITE_A)).toEqual(['u-1']);
  });
});
