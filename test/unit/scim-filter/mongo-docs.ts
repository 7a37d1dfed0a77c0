/**
 * The translator fixtures (fixtures.ts) as the Mongo adapter stores them, built with the
 * adapter's own document mappers, and a mingo runner for translated filters: what a MongoDB
 * server would return, without one.
 */
import { Aggregator } from 'mingo';
import {
  toGroupDoc, toMemberDoc, toMembershipDoc, type GroupDoc, type MemberDoc, type MembershipDoc,
} from '../../../src/adapters/mongo/documents.js';
import type { SiteRole } from '../../../src/domain/site-roles.js';
import { parseFilter } from '../../../src/scim-filter/parse.js';
import { filterToMongo, sortKeyMongo } from '../../../src/scim-filter/to-mongo.js';
import { filterToSql, sortKeySql } from '../../../src/scim-filter/to-sql.js';
import { TENANT, type Fixture } from './fixtures.js';

export interface MongoFixture {
  memberships: MembershipDoc[];
  groups: GroupDoc[];
  members: MemberDoc[];
}

/** Same insertion order as fixtures.ts, so `seq` orders like SQLite's `m.seq` / `g.seq`. */
export function mongoFixture(fx: Fixture): MongoFixture {
  let seq = 0;
  const memberships = fx.users.flatMap((u) => u.memberships.map((m) => toMembershipDoc(
    {
      siteId: m.siteId, userId: u.id, requestedRole: m.role as SiteRole, siteRole: m.role as SiteRole, active: m.active,
      licensed: true, seatTier: null, authSetting: null, idpConfigId: null, source: 'scim', state: 'active', ext: null,
      floorRole: null, manualRole: null, lastLoginAt: null, createdAt: m.created, updatedAt: m.updated, version: m.version,
    },
    { id: u.id, tenantId: TENANT, userName: u.userName, externalId: u.externalId, displayName: u.displayName, data: u.data, cloudAdmin: false, createdAt: 0, updatedAt: 0 },
    m.siteId, ++seq)));
  const groups = fx.groups.map((g, k) => toGroupDoc({
    id: g.id, siteId: g.siteId, displayName: g.displayName, externalId: g.externalId, minimumSiteRole: null, grantLicenseMode: null,
    memberCount: g.members.length, createdAt: g.created, updatedAt: g.updated, version: 1,
  }, g.siteId, k + 1));
  const members = fx.groups.flatMap((g) => g.members.map((m) => toMemberDoc(g.id, m, 0)));
  return { memberships, groups, members };
}

/** Ids the translated filter selects on a site, evaluated by mingo ($lookup included). */
export function mongoIds(mx: MongoFixture, filter: string, resource: 'User' | 'Group', siteId: string): string[] {
  const { lookups, query } = filterToMongo(parseFilter(filter), resource, { tenantId: TENANT, siteId });
  const collectionResolver = (name: string) => ({ group_members: mx.members, groups: mx.groups } as Record<string, object[]>)[name] ?? [];
  const docs = resource === 'User' ? mx.memberships : mx.groups;
  const out = new Aggregator([{ $match: { siteId } }, ...lookups, { $match: query }], { collectionResolver }).run(docs);
  return out.map((d) => (resource === 'User' ? (d as MembershipDoc).userId : (d as GroupDoc)._id)).sort();
}

/** Ids the SQL translation selects (the path the Mongo one must agree with). */
export function sqlIds(fx: Fixture, filter: string, resource: 'User' | 'Group', siteId: string): string[] {
  const { sql, params } = filterToSql(parseFilter(filter), resource, { tenantId: TENANT, siteId });
  const query = resource === 'User'
    ? `SELECT u.id AS id FROM site_memberships m JOIN users u ON u.id = m.user_id WHERE m.site_id = ? AND (${sql})`
    : `SELECT g.id AS id FROM groups g WHERE g.site_id = ? AND (${sql})`;
  return (fx.db.prepare(query).all(siteId, ...params) as { id: string }[]).map((r) => r.id).sort();
}

/** User ids of a site in `sortBy` order, ties by insertion order: SQL and mingo. */
export function sortedIds(fx: Fixture, mx: MongoFixture, sortBy: string, siteId: string): { sql: string[]; mongo: string[] } {
  const sql = (fx.db.prepare(`SELECT u.id FROM site_memberships m JOIN users u ON u.id = m.user_id WHERE m.site_id = ?
    ORDER BY ${sortKeySql(sortBy, 'User')}, m.seq`).all(siteId) as { id: string }[]).map((r) => r.id);
  const key = sortKeyMongo(sortBy, 'User');
  const stages = 'field' in key ? [{ $sort: { [key.field]: 1, seq: 1 } }] : [{ $addFields: { _sk: key.expr } }, { $sort: { _sk: 1, seq: 1 } }];
  const mongo = new Aggregator([{ $match: { siteId } }, ...stages]).run(mx.memberships).map((d) => (d as MembershipDoc).userId);
  return { sql, mongo };
}
