import type Database from 'better-sqlite3';

type Db = Database.Database;

/**
 * Fixed planner statistics (sqlite_stat1), written at start-up. Without statistics SQLite
 * guesses index selectivity, and with the (site_id, seq) list index it would rather walk a
 * whole site in list order than use the userName / externalId / email lookup index. These
 * figures describe the shape rolegate is built for (a million memberships, unique userNames,
 * near-unique ids) so plans are stable from the first request on an empty store, and the
 * query-plan tests prove them. `ANALYZE` is never run automatically: it would replace these
 * with whatever the data looked like at that moment.
 */
const STATS: [table: string, index: string, stat: string][] = [
  ['users', 'users_tenant_username', '1000000 100000 1'],
  ['users', 'users_tenant_external', '1000000 100000 2'],
  ['users', 'users_tenant_display', '1000000 100000 3'],
  ['users', 'sqlite_autoindex_users_1', '1000000 1'],
  ['user_emails', 'user_emails_value', '1000000 100000 1'],
  ['user_emails', 'sqlite_autoindex_user_emails_1', '1000000 2 1'],
  ['site_memberships', 'memberships_site_user', '1000000 100000 1'],
  ['site_memberships', 'memberships_user', '1000000 2'],
  ['site_memberships', 'memberships_site_updated', '1000000 100000 2'],
  ['site_memberships', 'memberships_site_created', '1000000 100000 2'],
  ['site_memberships', 'memberships_site_seq', '1000000 100000 1'],
  ['groups', 'sqlite_autoindex_groups_1', '10000 1'],
  ['groups', 'groups_site_display', '10000 1000 1'],
  ['groups', 'groups_site_external', '10000 1000 2'],
  ['groups', 'groups_site_updated', '10000 1000 2'],
  ['groups', 'groups_site_seq', '10000 1000 1'],
  ['group_members', 'sqlite_autoindex_group_members_1', '1000000 100 1'],
  ['group_members', 'group_members_member', '1000000 5 1'],
];

export function writePlannerStats(db: Db): void {
  db.exec('ANALYZE sqlite_schema'); // creates sqlite_stat1 if missing, analyses nothing else
  const existing = new Set((db.prepare('SELECT idx FROM sqlite_stat1').all() as { idx: string }[]).map((r) => r.idx));
  const insert = db.prepare('INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)');
  const indexes = new Set((db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index'").all() as { name: string }[]).map((r) => r.name));
  let added = 0;
  for (const [tbl, idx, stat] of STATS) {
    if (!existing.has(idx) && indexes.has(idx)) { insert.run(tbl, idx, stat); added++; }
  }
  if (added) db.exec('ANALYZE sqlite_schema'); // reload the statistics into the planner
}
