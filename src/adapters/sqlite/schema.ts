/**
 * The embedded store's schema. Times are integer epoch milliseconds (indexable, compared as
 * numbers); SCIM attributes that no query needs as a column live in `data` (JSON text).
 * Migrations are idempotent (CREATE … IF NOT EXISTS) and versioned by `PRAGMA user_version`.
 */
export const SCHEMA_VERSION = 1;

export const DDL = `
CREATE TABLE IF NOT EXISTS tenants (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  settings    TEXT NOT NULL DEFAULT '{}',
  created_at  INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS sites (
  id           TEXT PRIMARY KEY,
  tenant_id    TEXT NOT NULL REFERENCES tenants(id),
  name         TEXT NOT NULL,
  content_url  TEXT NOT NULL,
  settings     TEXT NOT NULL DEFAULT '{}',
  created_at   INTEGER NOT NULL,
  -- maintained counters: totalResults of an unfiltered list without count(*)
  user_count   INTEGER NOT NULL DEFAULT 0,
  group_count  INTEGER NOT NULL DEFAULT 0,
  list_epoch   INTEGER NOT NULL DEFAULT 0,  -- bumped by deletions: invalidates list position anchors
  -- SCIM enablement (R-SCIM-05/08): associated with one auth configuration
  scim_enabled        INTEGER NOT NULL DEFAULT 0,
  scim_auth_config_id TEXT,
  role_mapping        TEXT,             -- JSON {rules, default} or NULL
  -- license pool of the site (R-LIC-05/07): NULL capacity = unlimited; used = seats held, per tier
  cap_creator   INTEGER, cap_explorer INTEGER, cap_viewer INTEGER,
  used_creator  INTEGER NOT NULL DEFAULT 0,
  used_explorer INTEGER NOT NULL DEFAULT 0,
  used_viewer   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS auth_configs (
  id          TEXT PRIMARY KEY,
  site_id     TEXT NOT NULL REFERENCES sites(id),
  type        TEXT NOT NULL,            -- SAML | OIDC | Google | TableauIDWithMFA
  enabled     INTEGER NOT NULL DEFAULT 1,
  settings    TEXT NOT NULL DEFAULT '{}', -- entityId, ssoUrl, certificate, issuer, bootstrap
  created_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS auth_configs_site ON auth_configs(site_id);

CREATE TABLE IF NOT EXISTS content_items (
  id             TEXT PRIMARY KEY,
  site_id        TEXT NOT NULL REFERENCES sites(id),
  type           TEXT NOT NULL,
  name           TEXT NOT NULL,
  owner_user_id  TEXT NOT NULL,
  created_at     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS content_owner ON content_items(site_id, owner_user_id);

-- Keys rolegate signs admin JWTs with (HS256), shared by every instance through the store.
CREATE TABLE IF NOT EXISTS signing_keys (
  id          TEXT PRIMARY KEY,
  secret      TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS sites_content_url ON sites(tenant_id, lower(content_url));

-- Bearer secrets (SCIM and admin), stored as SHA-256 of a high-entropy secret.
CREATE TABLE IF NOT EXISTS credentials (
  id           TEXT PRIMARY KEY,
  tenant_id    TEXT NOT NULL REFERENCES tenants(id),
  site_id      TEXT REFERENCES sites(id),
  kind         TEXT NOT NULL,              -- 'scim' | 'admin'
  scope        TEXT,                       -- admin: tenantAdmin | siteAdmin | auditor
  secret_hash  TEXT NOT NULL,
  label        TEXT,
  created_at   INTEGER NOT NULL,
  revoked_at   INTEGER,
  last_used_at INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS credentials_hash ON credentials(secret_hash);

-- The tenant pool (Server mode, R-LIC-04); no row = seats are pooled per site.
CREATE TABLE IF NOT EXISTS tenant_licenses (
  tenant_id     TEXT PRIMARY KEY REFERENCES tenants(id),
  scope         TEXT NOT NULL DEFAULT 'site',
  allow_borrow  INTEGER NOT NULL DEFAULT 1,
  cap_creator   INTEGER, cap_explorer INTEGER, cap_viewer INTEGER,
  used_creator  INTEGER NOT NULL DEFAULT 0, used_explorer INTEGER NOT NULL DEFAULT 0, used_viewer INTEGER NOT NULL DEFAULT 0
);

-- One tenant seat per user in Server mode (R-LIC-04): the tier of their highest licensed role.
-- No foreign key: the policy layer releases the seat before the identity goes.
CREATE TABLE IF NOT EXISTS server_seats (
  user_id    TEXT PRIMARY KEY,
  tenant_id  TEXT NOT NULL,
  tier       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS server_seats_tenant ON server_seats(tenant_id, tier);

-- One identity per tenant (TCM model).
CREATE TABLE IF NOT EXISTS users (
  id               TEXT PRIMARY KEY,
  tenant_id        TEXT NOT NULL REFERENCES tenants(id),
  user_name        TEXT NOT NULL,
  user_name_lower  TEXT NOT NULL,
  external_id      TEXT,
  cloud_admin      INTEGER NOT NULL DEFAULT 0,
  display_name     TEXT,
  display_name_lower TEXT,
  data             TEXT NOT NULL DEFAULT '{}', -- other core + enterprise attributes (scimmy-canonical JSON)
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS users_tenant_username ON users(tenant_id, user_name_lower);
CREATE INDEX IF NOT EXISTS users_tenant_external ON users(tenant_id, external_id);
CREATE INDEX IF NOT EXISTS users_tenant_display ON users(tenant_id, display_name_lower);

-- Emails as rows: emails[type eq "work"].value eq "x" is an index hit.
CREATE TABLE IF NOT EXISTS user_emails (
  user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  tenant_id   TEXT NOT NULL,
  position    INTEGER NOT NULL,
  value       TEXT,
  value_lower TEXT,
  type        TEXT,
  is_primary  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, position)
);
CREATE INDEX IF NOT EXISTS user_emails_value ON user_emails(tenant_id, value_lower);

-- The SCIM User resource of a site = users ⋈ site_memberships. seq orders pages (keyset).
CREATE TABLE IF NOT EXISTS site_memberships (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id         TEXT NOT NULL REFERENCES sites(id),
  user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  requested_role  TEXT NOT NULL,
  site_role       TEXT NOT NULL,
  active          INTEGER NOT NULL DEFAULT 1, -- license status the IdP asks for (SCIM active)
  licensed        INTEGER NOT NULL DEFAULT 1, -- a seat is actually held
  seat_tier       TEXT,
  auth_setting    TEXT,
  idp_config_id   TEXT,
  source          TEXT NOT NULL,              -- scim | csv | admin | groupGrant
  state           TEXT NOT NULL DEFAULT 'active',
  ext             TEXT,                       -- the Tableau extension as last received (JSON)
  floor_role      TEXT,                       -- group floor in force (R-GRP-06/08)
  manual_role     TEXT,                       -- role last set by an administrator (SPEC §5.7)
  manual_at       INTEGER,
  last_login_at   INTEGER,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  version         INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX IF NOT EXISTS memberships_site_user ON site_memberships(site_id, user_id);
CREATE INDEX IF NOT EXISTS memberships_user ON site_memberships(user_id);
CREATE INDEX IF NOT EXISTS memberships_site_updated ON site_memberships(site_id, updated_at);
-- List order (and keyset cursors): pages walk this index instead of sorting the whole site.
CREATE INDEX IF NOT EXISTS memberships_site_seq ON site_memberships(site_id, seq);
CREATE INDEX IF NOT EXISTS memberships_site_created ON site_memberships(site_id, created_at);

CREATE TABLE IF NOT EXISTS groups (
  seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
  id                  TEXT NOT NULL UNIQUE,
  site_id             TEXT NOT NULL REFERENCES sites(id),
  display_name        TEXT NOT NULL,
  display_name_lower  TEXT NOT NULL,
  external_id         TEXT,
  minimum_site_role   TEXT,
  grant_license_mode  TEXT,
  member_count        INTEGER NOT NULL DEFAULT 0,
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  version             INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX IF NOT EXISTS groups_site_display ON groups(site_id, display_name_lower);
CREATE INDEX IF NOT EXISTS groups_site_external ON groups(site_id, external_id);
CREATE INDEX IF NOT EXISTS groups_site_updated ON groups(site_id, updated_at);
CREATE INDEX IF NOT EXISTS groups_site_seq ON groups(site_id, seq);

CREATE TABLE IF NOT EXISTS group_members (
  group_id    TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  member_id   TEXT NOT NULL,
  member_type TEXT NOT NULL DEFAULT 'User',
  display     TEXT,
  added_at    INTEGER NOT NULL,
  PRIMARY KEY (group_id, member_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS group_members_member ON group_members(member_id);

-- Append-only audit log, hash-chained per tenant (SPEC §7).
CREATE TABLE IF NOT EXISTS audit_chain (
  tenant_id   TEXT PRIMARY KEY,
  head_seq    INTEGER NOT NULL DEFAULT 0,
  head_hash   TEXT NOT NULL,
  anchor_seq  INTEGER,            -- retention: entries up to here were purged ...
  anchor_hash TEXT                -- ... and this was the hash of the last of them
);
CREATE TABLE IF NOT EXISTS audit_entries (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  id          TEXT NOT NULL UNIQUE,
  tenant_id   TEXT NOT NULL,
  site_id     TEXT,
  at          INTEGER NOT NULL,
  kind        TEXT NOT NULL,      -- 'event' | 'request'
  event       TEXT NOT NULL,
  actor       TEXT,
  target_type TEXT,
  target_id   TEXT,
  reason      TEXT,
  request_id  TEXT,
  data        TEXT NOT NULL DEFAULT '{}',
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_tenant_at ON audit_entries(tenant_id, seq);
CREATE INDEX IF NOT EXISTS audit_target ON audit_entries(tenant_id, target_id, seq);
CREATE INDEX IF NOT EXISTS audit_site ON audit_entries(tenant_id, site_id, seq);
CREATE INDEX IF NOT EXISTS audit_event ON audit_entries(tenant_id, event, seq);
CREATE INDEX IF NOT EXISTS audit_reason ON audit_entries(tenant_id, reason, seq);
CREATE INDEX IF NOT EXISTS audit_at ON audit_entries(tenant_id, at);
`;
