import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, userBody, type TestServer } from '../helpers/server.js';

let s: TestServer;
const created: any[] = [];
beforeAll(async () => {
  s = await startTestServer({ scim: { defaultPageSize: 100, maxPageSize: 50 } });
  for (let i = 0; i < 25; i++) {
    created.push((await s.req('POST', '/Users', userBody({ displayName: `Person ${String(i).padStart(2, '0')}`, title: i % 2 ? 'Analyst' : 'Engineer' }))).body);
  }
});
afterAll(async () => { await s.close(); });
const q = (filter: string) => `/Users?filter=${encodeURIComponent(filter)}`;

describe('listing /Users', () => {
  it('pages by index with exact totals, stable order and itemsPerPage = number returned', async () => {
    const seen: string[] = [];
    for (let start = 1; start <= 25; start += 10) {
      const r = await s.req('GET', `/Users?startIndex=${start}&count=10`);
      expect(r.body).toMatchObject({ totalResults: 25, startIndex: start, itemsPerPage: Math.min(10, 26 - start) });
      seen.push(...r.body.Resources.map((u: any) => u.id));
    }
    expect(seen).toEqual(created.map((u) => u.id));
  });

  it('clamps absurd startIndex and count (<1 → 1, negative → 0, above max → max)', async () => {
    expect((await s.req('GET', '/Users?startIndex=-5&count=3')).body).toMatchObject({ startIndex: 1, itemsPerPage: 3 });
    const zero = await s.req('GET', '/Users?count=-1');
    expect(zero.body).toMatchObject({ totalResults: 25, itemsPerPage: 0, Resources: [] });
    expect((await s.req('GET', '/Users?count=100000000')).body.itemsPerPage).toBe(25);
    expect((await s.req('GET', '/Users?startIndex=999999999999&count=5')).body).toMatchObject({ totalResults: 25, itemsPerPage: 0, Resources: [] });
    expect((await s.req('GET', '/Users?count=abc')).status).toBe(400);
  });

  it('walks the whole set by RFC 9865 cursor', async () => {
    const seen: string[] = [];
    let cursor = '';
    for (let i = 0; i < 10; i++) {
      const r = await s.req('GET', `/Users?count=7&cursor=${cursor}`);
      expect(r.status).toBe(200);
      expect(r.body.totalResults).toBe(25);
      seen.push(...r.body.Resources.map((u: any) => u.id));
      if (!r.body.nextCursor) break;
      cursor = r.body.nextCursor;
    }
    expect(seen).toEqual(created.map((u) => u.id));
    const bad = await s.req('GET', '/Users?cursor=not-a-cursor');
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidCursor');
  });

  it('filters in the database (case-insensitive userName, and/or/not, unquoted values, dates)', async () => {
    const u = created[3];
    const one = await s.req('GET', q(`userName eq "${u.userName.toUpperCase()}"`));
    expect(one.body.Resources.map((x: any) => x.id)).toEqual([u.id]);
    expect((await s.req('GET', q('title eq "Analyst" and not (displayName eq "Person 01" or displayName eq "Person 03")'))).body.totalResults).toBe(10);
    expect((await s.req('GET', q('title eq Analyst'))).body.totalResults).toBe(12);
    expect((await s.req('GET', q('meta.created gt 2015-10-10T14:38:21.8617979-07:00'))).body.totalResults).toBe(25);
    expect((await s.req('GET', q(`emails[type eq "work"].value eq "${u.userName}"`))).body.totalResults).toBe(1);
    expect((await s.req('GET', q('userName eq "nobody@nowhere"'))).body).toMatchObject({ totalResults: 0, itemsPerPage: 0, Resources: [] });
  });

  it('POST /.search takes the same parameters in the body', async () => {
    const r = await s.req('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'title eq "Engineer"', startIndex: 1, count: 5, attributes: ['userName'] });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ totalResults: 13, itemsPerPage: 5 });
    expect(Object.keys(r.body.Resources[0]).sort()).toEqual(['id', 'schemas', 'userName']);
  });

  it('honours attributes / excludedAttributes (including a value filter inside attributes)', async () => {
    const r = await s.req('GET', `/Users?attributes=${encodeURIComponent('emails[type eq "work"],name.familyName')}&count=1`);
    expect(Object.keys(r.body.Resources[0]).sort()).toEqual(['emails', 'id', 'name', 'schemas']);
    expect(Object.keys(r.body.Resources[0].name)).toEqual(['familyName']);
    const ex = await s.req('GET', `/Users/${created[0].id}?excludedAttributes=emails,meta`);
    expect(ex.body.emails).toBeUndefined();
    expect(ex.body.meta).toBeUndefined();
    expect(ex.body.userName).toBe(created[0].userName);
  });

  it('sorts by sortBy / sortOrder', async () => {
    const r = await s.req('GET', '/Users?sortBy=displayName&sortOrder=descending&count=3');
    expect(r.body.Resources.map((u: any) => u.displayName)).toEqual(['Person 24', 'Person 23', 'Person 22']);
  });

  it('rejects malformed, unknown-attribute, overlong and over-deep filters with 400 invalidFilter', async () => {
    const bad = ['userName eq', 'foo bar "x"', '(userName eq "a"', 'nosuchattr eq "x"',
      `userName eq "${'x'.repeat(10_000)}"`, `${'('.repeat(200)}userName eq "a"${')'.repeat(200)}`];
    for (const f of bad) {
      const r = await s.req('GET', q(f));
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
    }
    expect((await s.req('GET', '/Users')).status).toBe(200);
  });
});
