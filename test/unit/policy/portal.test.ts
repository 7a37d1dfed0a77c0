import { describe, expect, it } from '@jest/globals';
import type { PortalPersona, PortalRole } from '../../../src/domain/portal.js';
import {
  derivePersona, evaluatePortalAction, keyBelongsTo, keyVisibleTo, PORTAL_REASONS as R, sameEmail,
  type KeyRef, type PortalAction, type PortalActor, type PortalVerdict,
} from '../../../src/policy/portal.js';
import { validatePortalBody } from '../../../src/http/admin/portal-router.js';

const ME = 'u-me';
const OTHER = 'u-other';
const as = (role: PortalRole | null, email = 'me@example.test'): PortalActor => ({ kind: 'portalUser', portalUserId: ME, email, role });
const ADMIN = as('Administrator');
const LICADMIN = as('LicenseAdministrator');
const DL = as('DownloadOnly');
const TENANT: PortalActor = { kind: 'tenantAdmin' };
const AUDITOR: PortalActor = { kind: 'auditor' };

const key = (ownerPortalUserId: string | null, assignedToEmail: string | null = null): KeyRef => ({ ownerPortalUserId, assignedToEmail });
const mine = key(ME);
const assignedToMe = key(null, 'ME@Example.test');
const othersKey = key(OTHER, 'other@example.test');
const pooled = key(null);
const noChange = { product: false, owner: false, assignment: false };
const assignOnly = { ...noChange, assignment: true };

type Row = [string, string, PortalActor, PortalAction, PortalVerdict, string[]];
const run = (rows: Row[]) => it.each(rows)('%s %s', (_id, _name, actor, action, verdict, reasons) => {
  const d = evaluatePortalAction(actor, action);
  expect(d.value).toBe(verdict);
  expect(d.reasons).toEqual(reasons);
});

describe('evaluatePortalAction: the three portal user types', () => {
  run([
    ['R-CP-01', 'an Administrator sees the account', ADMIN, { type: 'account.read' }, 'allow', []],
    ['R-CP-01', 'an Administrator lists the users', ADMIN, { type: 'user.list' }, 'allow', []],
    ['R-CP-01', 'an Administrator adds users, administrators included', ADMIN, { type: 'user.write', grantsCaseAdministrator: false }, 'allow', []],
    ['R-CP-01', 'an Administrator sees every key', ADMIN, { type: 'key.read', key: othersKey }, 'allow', []],
    ['R-CP-01', "an Administrator lists another user's keys", ADMIN, { type: 'key.list', forPortalUserId: OTHER }, 'allow', []],
    ['R-CP-01', 'an Administrator grants access to a key (assigns, changes owner)', ADMIN, { type: 'key.update', key: othersKey, changes: { product: false, owner: true, assignment: true } }, 'allow', []],
    ['R-CP-01', 'a License Administrator sees the other users of the account', LICADMIN, { type: 'user.list' }, 'allow', []],
    ['R-CP-01', 'a License Administrator reads one other user', LICADMIN, { type: 'user.read', portalUserId: OTHER }, 'allow', []],
    ['R-CP-01', 'a License Administrator creates keys', LICADMIN, { type: 'key.create' }, 'allow', []],
    ['R-CP-01', 'a License Administrator re-owns and re-assigns any key', LICADMIN, { type: 'key.update', key: othersKey, changes: { product: true, owner: true, assignment: true } }, 'allow', []],
    ['R-CP-01', 'a License Administrator deletes keys', LICADMIN, { type: 'key.delete', key: othersKey }, 'allow', []],
    ['R-CP-01', "a License Administrator lists another user's keys", LICADMIN, { type: 'key.list', forPortalUserId: OTHER }, 'allow', []],
    ['R-CP-01', 'a Download Only user sees the account', DL, { type: 'account.read' }, 'allow', []],
    ['R-CP-01', 'a Download Only user does not list the users', DL, { type: 'user.list' }, 'forbidden', [R.userListNotAllowed]],
    ['R-CP-01', 'a Download Only user reads itself', DL, { type: 'user.read', portalUserId: ME }, 'allow', []],
    ['R-CP-01', 'a Download Only user does not read another user', DL, { type: 'user.read', portalUserId: OTHER }, 'forbidden', [R.userListNotAllowed]],
    ['R-CP-01', 'a Download Only user lists keys (filtered to its own)', DL, { type: 'key.list' }, 'allow', []],
    ['R-CP-01', 'a Download Only user lists its own keys by id', DL, { type: 'key.list', forPortalUserId: ME }, 'allow', []],
    ['R-CP-01', "a Download Only user cannot list another user's keys", DL, { type: 'key.list', forPortalUserId: OTHER }, 'forbidden', [R.otherUsersKeys]],
    ['R-CP-01', 'a Download Only user reads a key it owns', DL, { type: 'key.read', key: mine }, 'allow', []],
    ['R-CP-01', 'a Download Only user reads a key assigned to its email', DL, { type: 'key.read', key: assignedToMe }, 'allow', []],
    ['R-CP-01', "a Download Only user cannot read another user's key", DL, { type: 'key.read', key: othersKey }, 'forbidden', [R.keyNotVisible]],
    ['R-CP-01', 'a Download Only user cannot read an unassigned key', DL, { type: 'key.read', key: pooled }, 'forbidden', [R.keyNotVisible]],
    ['R-CP-01', 'a Download Only user creates no keys', DL, { type: 'key.create' }, 'forbidden', [R.keyManagementNotAllowed]],
    ['R-CP-01', 'a Download Only user deletes no keys, not even its own', DL, { type: 'key.delete', key: mine }, 'forbidden', [R.keyManagementNotAllowed]],
  ]);
});

describe('evaluatePortalAction: Case Administrator and user management', () => {
  run([
    ['R-CP-02', 'an Administrator grants Case Administrator', ADMIN, { type: 'user.write', grantsCaseAdministrator: true }, 'allow', []],
    ['R-CP-02', 'a License Administrator cannot grant Case Administrator', LICADMIN, { type: 'user.write', grantsCaseAdministrator: true }, 'forbidden', [R.caseAdminGrantAdministratorOnly]],
    ['R-CP-02', 'a Download Only user cannot grant Case Administrator (not even to itself)', DL, { type: 'user.write', grantsCaseAdministrator: true }, 'forbidden', [R.caseAdminGrantAdministratorOnly]],
    ['R-CP-02', 'a tenant admin token grants Case Administrator', TENANT, { type: 'user.write', grantsCaseAdministrator: true }, 'allow', []],
    ['R-CP-04', 'only an Administrator manages portal users: License Administrator refused', LICADMIN, { type: 'user.write', grantsCaseAdministrator: false }, 'forbidden', [R.usersAdministratorOnly]],
    ['R-CP-04', 'only an Administrator manages portal users: Download Only refused', DL, { type: 'user.write', grantsCaseAdministrator: false }, 'forbidden', [R.usersAdministratorOnly]],
    ['R-CP-04', 'a tenant admin token manages portal users', TENANT, { type: 'user.write', grantsCaseAdministrator: false }, 'allow', []],
    ['R-CP-04', 'an auditor token only reads', AUDITOR, { type: 'user.write', grantsCaseAdministrator: false }, 'forbidden', [R.readOnlyToken]],
    ['R-CP-04', 'an auditor token reads users', AUDITOR, { type: 'user.list' }, 'allow', []],
    ['R-CP-04', 'portal users never create accounts', ADMIN, { type: 'account.create' }, 'forbidden', [R.tenantAdminOnly]],
    ['R-CP-04', 'portal users never mint portal tokens', ADMIN, { type: 'token.issue' }, 'forbidden', [R.tenantAdminOnly]],
    ['R-CP-04', 'a tenant admin token mints portal tokens', TENANT, { type: 'token.issue' }, 'allow', []],
    ['R-CP-06', 'setting the point-of-contact flags is user management (Administrator only)', LICADMIN, { type: 'user.write', grantsCaseAdministrator: false }, 'forbidden', [R.usersAdministratorOnly]],
  ]);
});

describe('evaluatePortalAction: per-account membership', () => {
  run([
    ['R-CP-03', 'a portal user without a membership in the account does not see it', as(null), { type: 'account.read' }, 'notFound', [R.notMember]],
    ['R-CP-03', 'nor its keys', as(null), { type: 'key.list' }, 'notFound', [R.notMember]],
    ['R-CP-03', 'nor may it write there', as(null), { type: 'user.write', grantsCaseAdministrator: false }, 'notFound', [R.notMember]],
    ['R-CP-03', 'the same user as Administrator of another account manages users there', as('Administrator'), { type: 'user.write', grantsCaseAdministrator: false }, 'allow', []],
    ['R-CP-03', 'the same user as Download Only of a third account does not', as('DownloadOnly'), { type: 'user.write', grantsCaseAdministrator: false }, 'forbidden', [R.usersAdministratorOnly]],
  ]);
});

describe('evaluatePortalAction: Group Manager and Individual personas', () => {
  run([
    ['R-CP-05', 'a Group Manager assigns a key it owns to an email', DL, { type: 'key.update', key: mine, changes: assignOnly }, 'allow', []],
    ['R-CP-05', 'a Group Manager does not hand ownership away', DL, { type: 'key.update', key: mine, changes: { ...noChange, owner: true } }, 'forbidden', [R.groupManagerAssignsOnly]],
    ['R-CP-05', "a Group Manager does not change a key's product", DL, { type: 'key.update', key: mine, changes: { ...noChange, product: true } }, 'forbidden', [R.groupManagerAssignsOnly]],
    ['R-CP-05', 'an Individual views a key assigned to it but does not manage it', DL, { type: 'key.update', key: assignedToMe, changes: assignOnly }, 'forbidden', [R.keyManagementNotAllowed]],
    ['R-CP-05', "a Download Only user cannot touch another user's key", DL, { type: 'key.update', key: othersKey, changes: assignOnly }, 'forbidden', [R.keyNotVisible]],
    ['R-CP-05', 'a Portal Administrator manages all keys', ADMIN, { type: 'key.update', key: pooled, changes: { product: true, owner: true, assignment: true } }, 'allow', []],
  ]);
});

describe('derivePersona', () => {
  it.each([
    ['R-CP-05', 'Administrator → Portal Administrator', 'Administrator', 0, 0, 'PortalAdministrator'],
    ['R-CP-05', 'Administrator owning keys is still a Portal Administrator', 'Administrator', 3, 2, 'PortalAdministrator'],
    ['R-CP-05', 'Download Only owning keys → Group Manager', 'DownloadOnly', 2, 0, 'GroupManager'],
    ['R-CP-05', 'Download Only owning and assigned → Group Manager (owning wins)', 'DownloadOnly', 1, 1, 'GroupManager'],
    ['R-CP-05', 'Download Only with keys assigned by email → Individual', 'DownloadOnly', 0, 1, 'Individual'],
    ['R-CP-05', 'Download Only with no keys → Support Only', 'DownloadOnly', 0, 0, 'SupportOnly'],
    ['R-CP-05', "License Administrator → rolegate's own License Administrator persona", 'LicenseAdministrator', 0, 0, 'LicenseAdministrator'],
    ['R-CP-05', 'License Administrator owning keys stays License Administrator', 'LicenseAdministrator', 2, 1, 'LicenseAdministrator'],
    ['R-CP-08', 'with login-based licensing (no keys at all) a Download Only user is Support Only', 'DownloadOnly', 0, 0, 'SupportOnly'],
  ] as [string, string, PortalRole, number, number, PortalPersona][])('%s %s', (_id, _n, role, ownedKeyCount, assignedKeyCount, persona) => {
    expect(derivePersona({ role, ownedKeyCount, assignedKeyCount })).toBe(persona);
  });
});

describe('key visibility and belonging', () => {
  it.each([
    ['R-CP-08', 'a legacy key owned by a user is visible to it', DL, mine, true],
    ['R-CP-08', 'a legacy key assigned to a user by email is visible to it', DL, assignedToMe, true],
    ['R-CP-08', 'a key in the account pool (no owner, no email) is visible to License Administrators', LICADMIN, pooled, true],
    ['R-CP-08', 'a key in the account pool is not visible to Download Only users', DL, pooled, false],
    ['R-CP-08', 'tenant admins see every key', TENANT, othersKey, true],
    ['R-CP-03', 'a portal user with no membership sees no key', as(null), mine, false],
  ] as [string, string, PortalActor, KeyRef, boolean][])('%s %s', (_id, _n, actor, k, visible) => {
    expect(keyVisibleTo(actor, k)).toBe(visible);
  });

  it.each([
    ['R-CP-07', 'ownership is by id, so it survives an email change', mine, { id: ME, email: 'new@example.test' }, true],
    ['R-CP-07', 'an assignment is by email: the old address no longer matches (the service rewrites it)', key(null, 'me@example.test'), { id: ME, email: 'new@example.test' }, false],
    ['R-CP-07', 'the rewritten assignment matches the new address', key(null, 'new@example.test'), { id: ME, email: 'new@example.test' }, true],
    ['R-CP-07', 'emails match case-insensitively', key(null, 'NEW@EXAMPLE.TEST'), { id: ME, email: 'new@example.test' }, true],
    ['R-CP-07', "another user's key does not belong to me", othersKey, { id: ME, email: 'me@example.test' }, false],
  ] as [string, string, KeyRef, { id: string; email: string }, boolean][])('%s %s', (_id, _n, k, user, belongs) => {
    expect(keyBelongsTo(k, user)).toBe(belongs);
  });

  it.each([
    ['R-CP-07', 'a@x.test', 'A@X.TEST', true],
    ['R-CP-07', 'a@x.test', 'b@x.test', false],
    ['R-CP-07', 'a@x.test', null, false],
  ] as [string, string, string | null, boolean][])('%s sameEmail(%s, %s) = %s', (_id, a, b, same) => {
    expect(sameEmail(a, b)).toBe(same);
  });
});

describe('portal request bodies (schemas/portal-api.schema.json)', () => {
  const user = { email: 'a@example.test', firstName: 'Ada', lastName: 'Lovelace', role: 'DownloadOnly' };
  it.each([
    ['R-CP-09', 'first name, last name, email and role are enough', 'createUser', user, true],
    ['R-CP-09', 'with Case Administrator and both points of contact', 'createUser', { ...user, caseAdministrator: true, securityPointOfContact: true, technicalPointOfContact: false }, true],
    ['R-CP-09', 'the role is required', 'createUser', { ...user, role: undefined }, false],
    ['R-CP-09', 'the email is required', 'createUser', { ...user, email: undefined }, false],
    ['R-CP-09', 'an email needs an @', 'createUser', { ...user, email: 'nobody' }, false],
    ['R-CP-09', 'the first name may not be blank', 'createUser', { ...user, firstName: '  ' }, false],
    ['R-CP-01', 'only the three portal roles exist', 'createUser', { ...user, role: 'Creator' }, false],
    ['R-CP-06', 'the point-of-contact flags are booleans', 'createUser', { ...user, securityPointOfContact: 'yes' }, false],
    ['R-CP-09', 'unknown attributes are refused', 'createUser', { ...user, phone: '1' }, false],
    ['R-CP-07', 'an edit may change the email (rolegate, unlike the Tableau portal)', 'patchUser', { email: 'b@example.test' }, true],
    ['R-CP-02', 'an edit may grant Case Administrator alone', 'patchUser', { caseAdministrator: true }, true],
    ['R-CP-09', 'an empty edit is refused', 'patchUser', {}, false],
    ['R-CP-05', 'a key with a product only (account pool)', 'createKey', { product: 'Tableau Desktop' }, true],
    ['R-CP-05', 'a key owned by a user and assigned to an email', 'createKey', { product: 'Tableau Prep', ownerPortalUserId: 'u1', assignedToEmail: 'x@y.test' }, true],
    ['R-CP-05', 'a key without a product is refused', 'createKey', { ownerPortalUserId: 'u1' }, false],
    ['R-CP-05', 'clearing an owner with null', 'patchKey', { ownerPortalUserId: null }, true],
  ] as [string, string, 'createUser' | 'patchUser' | 'createKey' | 'patchKey', Record<string, unknown>, boolean][])('%s %s', (_id, _n, kind, body, valid) => {
    const clean = JSON.parse(JSON.stringify(body)) as unknown;
    if (valid) expect(() => validatePortalBody(kind, clean)).not.toThrow();
    else expect(() => validatePortalBody(kind, clean)).toThrow(expect.objectContaining({ code: 'admin.invalid_body' }));
  });
});
