/** sortKeySql (RFC 7644 §3.4.2.3): the SQL order agrees with the rendered resources. */
import { SortError } from '../../../src/scim-filter/errors.js';
import { sortKeySql } from '../../../src/scim-filter/to-sql.js';
import { SITE_A, buildFixture, type Json } from './fixtures.js';

const fx = buildFixture(5, 200);
const byId = new Map(fx.userResources(SITE_A).map((r) => [r.id as string, r]));

const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : null);
const get = (r: Json, ...keys: string[]) => keys.reduce<unknown>((v, k) => (v as Json | undefined)?.[k], r);
/** RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary value, else the first. */
const primaryOrFirst = (list: unknown, sub: string) => {
  const items = Array.isArray(list) ? (list as Json[]) : [];
  return (items.find((i) => i.primary === true) ?? items[0])?.[sub];
};

const KEYS: [string, (r: Json) => string | number | boolean | null][] = [
  ['userName', (r) => lower(r.userName)],
  ['displayName', (r) => lower(r.displayName)],
  ['externalId', (r) => (r.externalId as string | undefined) ?? null],
  ['id', (r) => r.id as string],
  ['name.familyName', (r) => lower(get(r, 'name', 'familyName'))],
  ['NAME.GIVENNAME', (r) => lower(get(r, 'name', 'givenName'))],
  ['title', (r) => lower(r.title)],
  ['meta.created', (r) => Date.parse(get(r, 'meta', 'created') as string)],
  ['meta.lastModified', (r) => Date.parse(get(r, 'meta', 'lastModified') as string)],
  ['emails.value', (r) => lower(primaryOrFirst(r.emails, 'value'))],
  ['emails', (r) => lower(primaryOrFirst(r.emails, 'value'))],
  ['phoneNumbers.type', (r) => lower(primaryOrFirst(r.phoneNumbers, 'type'))],
  ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', (r) => lower(get(r, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', 'department'))],
];

/** SQLite order: NULL first, then numbers, then text by code point. */
function cmp(a: string | number | boolean | null, b: string | number | boolean | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = Array.from(String(a), (c) => c.codePointAt(0)!), y = Array.from(String(b), (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

describe('sortKeySql', () => {
  it.each(KEYS)('orders Users by %s', (sortBy, key) => {
    const sql = `SELECT u.id FROM site_memberships m JOIN users u ON u.id = m.user_id WHERE m.site_id = ? ORDER BY ${sortKeySql(sortBy, 'User')}, m.seq`;
    const ids = (fx.db.prepare(sql).all(SITE_A) as { id: string }[]).map((r) => r.id);
    expect(ids.length).toBe(byId.size);
    const keys = ids.map((id) => key(byId.get(id)!));
    for (let i = 1; i < keys.length; i++) expect(cmp(keys[i - 1]!, keys[i]!)).toBeLessThanOrEqual(0);
    expect(new Set(keys).size).toBeGreaterThan(1);
  });

  it.each(['displayName', 'externalId', 'id', 'meta.created', 'meta.lastModified'])('orders Groups by %s', (sortBy) => {
    const sql = `SELECT g.id FROM groups g WHERE g.site_id = ? ORDER BY ${sortKeySql(sortBy, 'Group')}`;
    expect(fx.db.prepare(sql).all(SITE_A).length).toBe(fx.groupResources(SITE_A).length);
  });

  it.each([
    ['nope', 'User'], ['members', 'User'], ['userName', 'Group'], ['groups.value', 'User'], ['meta.location', 'User'],
    ['meta.resourceType', 'User'], ['name', 'User'], ['emails[type eq "work"].value', 'User'], ['', 'User'], ['a.b.c', 'User'],
  ] as const)('rejects %s on %s with invalidValue', (sortBy, resource) => {
    let error: unknown;
    try {
      sortKeySql(sortBy, resource);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SortError);
    expect((error as SortError).scimType).toBe('invalidValue');
  });
});
