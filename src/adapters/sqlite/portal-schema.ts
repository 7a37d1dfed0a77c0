/**
 * Tables of the Customer Portal plane (TABLEAU-RULES §8 "Customer Portal plane"), executed
 * after the main DDL. Idempotent like it. Emails are matched case-insensitively through a
 * stored lower-cased copy (JS lower-casing, as for SCIM userNames).
 */
export const PORTAL_DDL = `
CREATE TABLE IF NOT EXISTS portal_accounts (
  id          TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL REFERENCES tenants(id),
  name        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS portal_accounts_tenant ON portal_accounts(tenant_id, created_at);

-- One portal identity per email and tenant; R-CP-03: it joins several accounts.
CREATE TABLE IF NOT EXISTS portal_users (
  id          TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL REFERENCES tenants(id),
  email       TEXT NOT NULL,
  email_lower TEXT NOT NULL,
  first_name  TEXT NOT NULL,
  last_name   TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS portal_users_email ON portal_users(tenant_id, email_lower);

CREATE TABLE IF NOT EXISTS portal_memberships (
  account_id      TEXT NOT NULL REFERENCES portal_accounts(id) ON DELETE CASCADE,
  portal_user_id  TEXT NOT NULL REFERENCES portal_users(id) ON DELETE CASCADE,
  role            TEXT NOT NULL CHECK (role IN ('Administrator', 'LicenseAdministrator', 'DownloadOnly')),
  case_admin      INTEGER NOT NULL DEFAULT 0,
  security_poc    INTEGER NOT NULL DEFAULT 0,
  technical_poc   INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  PRIMARY KEY (account_id, portal_user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS portal_memberships_user ON portal_memberships(portal_user_id);

CREATE TABLE IF NOT EXISTS portal_keys (
  id                   TEXT PRIMARY KEY,
  account_id           TEXT NOT NULL REFERENCES portal_accounts(id) ON DELETE CASCADE,
  product              TEXT NOT NULL,
  owner_portal_user_id TEXT REFERENCES portal_users(id) ON DELETE SET NULL,
  assigned_email       TEXT,
  assigned_email_lower TEXT,
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS portal_keys_account ON portal_keys(account_id, created_at);
CREATE INDEX IF NOT EXISTS portal_keys_owner ON portal_keys(account_id, owner_portal_user_id);
CREATE INDEX IF NOT EXISTS portal_keys_assigned ON portal_keys(account_id, assigned_email_lower);
`;
