import { randomUUID } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { PortalAccount, PortalRole } from '../domain/portal.js';
import { keyBelongsTo, keyVisibleTo, sameEmail } from '../policy/portal.js';
import type { Store } from '../ports/storage.js';
import { PortalAccess, userNotFound, type PortalCall } from './portal-access.js';
import type { PortalTokenService } from './portal-tokens.js';
import {
  accountView, diff, keyView, memberAudit, userView, type PortalAccountView, type PortalUserView, type ProductKeyView,
} from './portal-views.js';

export type { PortalCall, PortalPrincipal } from './portal-access.js';

export interface PortalUserInput {
  email: string;
  firstName: string;
  lastName: string;
  role: PortalRole;
  caseAdministrator?: boolean;
  securityPointOfContact?: boolean;
  technicalPointOfContact?: boolean;
}
export interface ProductKeyInput {
  product: string;
  ownerPortalUserId?: string | null;
  assignedToEmail?: string | null;
}

/**
 * The Customer Portal plane (SPEC §3, §6; R-CP-01..09): accounts, portal users with a role per
 * account, product keys, and portal tokens. Every decision goes through `policy/portal.ts`;
 * every change is one unit of work with its `PortalChanged` audit entry (before/after), and
 * every refusal gets its own `PolicyDenied` entry.
 */
export class PortalService extends PortalAccess {
  constructor(store: Store, private readonly tokens: PortalTokenService) {
    super(store);
  }

  /** Accounts of the tenant (admin tokens), or the caller's own accounts with its role in each (portal users, R-CP-03). */
  async listAccounts(call: PortalCall): Promise<{ accounts: PortalAccountView[] }> {
    const r = this.store.portal.reader(call.principal.tenantId);
    if (call.principal.kind === 'admin') return { accounts: (await r.findAccounts()).map((a) => accountView(a)) };
    return { accounts: (await r.findAccountsOfUser(call.principal.portalUserId)).map((a) => accountView(a, a.member)) };
  }

  /** @throws AppError portal.forbidden for portal users (tenant administration), auth.forbidden_scope for auditors. */
  async createAccount(call: PortalCall, body: { name: string }): Promise<PortalAccountView> {
    return this.write(call, async (w) => {
      this.check(this.actorWithout(call), { type: 'account.create' }, { type: 'PortalAccount', id: '' });
      const at = call.now();
      const account: PortalAccount = { id: randomUUID(), tenantId: call.principal.tenantId, name: body.name, createdAt: at, updatedAt: at };
      await w.insertAccount(account);
      await w.appendAudit([this.changed(call, { type: 'PortalAccount', id: account.id }, 'account.create', account.id, null, { name: account.name })]);
      return accountView(account);
    });
  }

  /** @throws AppError portal.account_not_found (also for a portal user who is not a member). */
  async getAccount(call: PortalCall, accountId: string): Promise<PortalAccountView> {
    return this.read(call, async (r) => {
      const { account, actor } = await this.scope(r, call, accountId, () => ({ type: 'account.read' }));
      const me = actor.kind === 'portalUser' ? await r.findMember(accountId, actor.portalUserId) : undefined;
      return accountView(account, me);
    });
  }

  async listUsers(call: PortalCall, accountId: string): Promise<{ users: PortalUserView[] }> {
    return this.read(call, async (r) => {
      await this.scope(r, call, accountId, () => ({ type: 'user.list' }));
      return { users: (await r.findMembers(accountId)).map(userView) };
    });
  }

  /** @throws AppError portal.user_not_found when the user is not a member of the account. */
  async getUser(call: PortalCall, accountId: string, portalUserId: string): Promise<PortalUserView> {
    return this.read(call, async (r) => {
      await this.scope(r, call, accountId, () => ({ type: 'user.read', portalUserId }));
      return userView(await this.member(r, accountId, portalUserId));
    });
  }

  /**
   * Adds a portal user to the account (R-CP-09). An email already known in the tenant joins the
   * same identity to this account (R-CP-03); names given here update that identity.
   * @throws AppError portal.forbidden (R-CP-04, R-CP-01/02), portal.already_member
   */
  async addUser(call: PortalCall, accountId: string, input: PortalUserInput): Promise<PortalUserView> {
    return this.write(call, async (w) => {
      await this.scope(w, call, accountId, () => ({ type: 'user.write', grantsCaseAdministrator: input.caseAdministrator === true }));
      const at = call.now();
      let identity = await w.findUserByEmail(input.email);
      let identityBefore: Record<string, unknown> | null = null;
      if (identity) {
        if (await w.findMember(accountId, identity.id)) {
          throw new AppError('portal.already_member', `${identity.email} is already a portal user of this account`, { portalUserId: identity.id });
        }
        if (identity.firstName !== input.firstName || identity.lastName !== input.lastName) {
          identityBefore = { firstName: identity.firstName, lastName: identity.lastName };
          identity = { ...identity, firstName: input.firstName, lastName: input.lastName, updatedAt: at };
          await w.updateUser(identity);
        }
      } else {
        identity = { id: randomUUID(), tenantId: call.principal.tenantId, email: input.email, firstName: input.firstName, lastName: input.lastName, createdAt: at, updatedAt: at };
        await w.insertUser(identity);
      }
      await w.insertMembership({
        accountId, portalUserId: identity.id, role: input.role, caseAdministrator: input.caseAdministrator ?? false,
        securityPointOfContact: input.securityPointOfContact ?? false, technicalPointOfContact: input.technicalPointOfContact ?? false, createdAt: at, updatedAt: at,
      });
      const member = await this.member(w, accountId, identity.id);
      await w.appendAudit([this.changed(call, { type: 'PortalUser', id: identity.id }, 'user.add', accountId, identityBefore, memberAudit(member))]);
      return userView(member);
    });
  }

  /**
   * Edits a portal user: role, flags, names and, unlike Tableau's portal (R-CP-07), the email.
   * Key ownership is by id and stays; keys assigned to the old email in the user's accounts
   * follow the change. Audited with before/after (reason `EMAIL_CHANGED` for an email change).
   * @throws AppError portal.forbidden, portal.user_not_found, portal.email_taken
   */
  async updateUser(call: PortalCall, accountId: string, portalUserId: string, patch: Partial<PortalUserInput>): Promise<PortalUserView> {
    return this.write(call, async (w) => {
      const cur = await w.findMember(accountId, portalUserId);
      const grants = patch.caseAdministrator === true && cur?.caseAdministrator !== true;
      await this.scope(w, call, accountId, () => ({ type: 'user.write', grantsCaseAdministrator: grants }));
      if (!cur) throw userNotFound(portalUserId);
      const next = { ...memberAudit(cur), ...patch };
      const change = diff(memberAudit(cur), next);
      if (!Object.keys(change.after).length) return userView(cur);
      const at = call.now();
      let reassignedKeyIds: string[] = [];
      if (next.email !== cur.email || next.firstName !== cur.firstName || next.lastName !== cur.lastName) {
        await w.updateUser({ id: cur.id, tenantId: cur.tenantId, email: next.email, firstName: next.firstName, lastName: next.lastName, createdAt: cur.createdAt, updatedAt: at });
        if (!sameEmail(next.email, cur.email)) {
          const accounts = (await w.findAccountsOfUser(cur.id)).map((a) => a.id);
          reassignedKeyIds = await w.reassignKeysByEmail(accounts, cur.email, next.email, at);
        }
      }
      await w.updateMembership({
        accountId, portalUserId, role: next.role, caseAdministrator: next.caseAdministrator, securityPointOfContact: next.securityPointOfContact,
        technicalPointOfContact: next.technicalPointOfContact, createdAt: cur.memberSince, updatedAt: at,
      });
      const emailChanged = next.email !== cur.email;
      await w.appendAudit([this.changed(call, { type: 'PortalUser', id: portalUserId }, 'user.update', accountId, change.before, change.after,
        emailChanged ? { reassignedKeyIds } : {}, emailChanged ? 'EMAIL_CHANGED' : null)]);
      return userView(await this.member(w, accountId, portalUserId));
    });
  }

  /**
   * Removes a portal user from the account. Keys it owned there go back to the account (owner
   * cleared); the identity goes with its last membership.
   */
  async removeUser(call: PortalCall, accountId: string, portalUserId: string) {
    return this.write(call, async (w) => {
      await this.scope(w, call, accountId, () => ({ type: 'user.write', grantsCaseAdministrator: false }));
      const cur = await this.member(w, accountId, portalUserId);
      const releasedKeyIds = await w.releaseOwnedKeys(accountId, portalUserId, call.now());
      await w.deleteMembership(accountId, portalUserId);
      const identityDeleted = (await w.countMembershipsOfUser(portalUserId)) === 0;
      if (identityDeleted) await w.deleteUser(portalUserId);
      await w.appendAudit([this.changed(call, { type: 'PortalUser', id: portalUserId }, 'user.remove', accountId, memberAudit(cur), null, { releasedKeyIds, identityDeleted })]);
      return { id: portalUserId, accountId, removed: true, releasedKeyIds, identityDeleted };
    });
  }

  /**
   * Keys of the account the caller may see (R-CP-01/05); `portalUserId` narrows to one user's
   * keys (owned or assigned to its email). A Download Only user asking for someone else's keys is refused.
   */
  async listKeys(call: PortalCall, accountId: string, portalUserId?: string): Promise<{ keys: ProductKeyView[] }> {
    return this.read(call, async (r) => {
      const { actor } = await this.scope(r, call, accountId, () => ({ type: 'key.list', forPortalUserId: portalUserId }));
      let keys = await r.findKeys(accountId);
      if (portalUserId !== undefined) {
        const user = await this.member(r, accountId, portalUserId);
        keys = keys.filter((k) => keyBelongsTo(k, user));
      }
      return { keys: keys.filter((k) => keyVisibleTo(actor, k)).map(keyView) };
    });
  }

  async getKey(call: PortalCall, accountId: string, keyId: string): Promise<ProductKeyView> {
    return this.read(call, async (r) => {
      const key = await this.key(r, call, accountId, keyId);
      await this.scope(r, call, accountId, () => ({ type: 'key.read', key }), { type: 'ProductKey', id: key.id });
      return keyView(key);
    });
  }

  /** @throws AppError portal.forbidden (Download Only), portal.owner_not_member */
  async createKey(call: PortalCall, accountId: string, input: ProductKeyInput): Promise<ProductKeyView> {
    return this.write(call, async (w) => {
      await this.scope(w, call, accountId, () => ({ type: 'key.create' }));
      await this.checkOwner(w, accountId, input.ownerPortalUserId ?? null);
      const at = call.now();
      const key = { id: randomUUID(), accountId, product: input.product, ownerPortalUserId: input.ownerPortalUserId ?? null, assignedToEmail: input.assignedToEmail ?? null, createdAt: at, updatedAt: at };
      await w.insertKey(key);
      await w.appendAudit([this.changed(call, { type: 'ProductKey', id: key.id }, 'key.create', accountId, null,
        { product: key.product, ownerPortalUserId: key.ownerPortalUserId, assignedToEmail: key.assignedToEmail })]);
      return keyView(key);
    });
  }

  /** Administrators and License Administrators change anything; a Group Manager only assigns the keys it owns (R-CP-05). */
  async updateKey(call: PortalCall, accountId: string, keyId: string, patch: Partial<ProductKeyInput>): Promise<ProductKeyView> {
    return this.write(call, async (w) => {
      const key = await this.key(w, call, accountId, keyId);
      const cur = { product: key.product, ownerPortalUserId: key.ownerPortalUserId, assignedToEmail: key.assignedToEmail };
      const next = { ...cur, ...patch };
      const changes = { product: next.product !== cur.product, owner: next.ownerPortalUserId !== cur.ownerPortalUserId, assignment: next.assignedToEmail !== cur.assignedToEmail };
      await this.scope(w, call, accountId, () => ({ type: 'key.update', key: cur, changes }), { type: 'ProductKey', id: key.id });
      const change = diff(cur, next);
      if (!Object.keys(change.after).length) return keyView(key);
      if (changes.owner) await this.checkOwner(w, accountId, next.ownerPortalUserId);
      const updated = { ...key, product: next.product, ownerPortalUserId: next.ownerPortalUserId, assignedToEmail: next.assignedToEmail, updatedAt: call.now() };
      await w.updateKey(updated);
      await w.appendAudit([this.changed(call, { type: 'ProductKey', id: key.id }, 'key.update', accountId, change.before, change.after)]);
      return keyView(updated);
    });
  }

  async deleteKey(call: PortalCall, accountId: string, keyId: string): Promise<void> {
    await this.write(call, async (w) => {
      const key = await this.key(w, call, accountId, keyId);
      await this.scope(w, call, accountId, () => ({ type: 'key.delete', key }), { type: 'ProductKey', id: key.id });
      await w.deleteKey(accountId, keyId);
      await w.appendAudit([this.changed(call, { type: 'ProductKey', id: key.id }, 'key.delete', accountId,
        { product: key.product, ownerPortalUserId: key.ownerPortalUserId, assignedToEmail: key.assignedToEmail }, null)]);
    });
  }

  /**
   * A bearer token acting as the portal user on the portal endpoints (tenant admins only).
   * Signed outside the unit of work: signing is truly asynchronous, and no transaction stays
   * open across it.
   */
  async issueToken(call: PortalCall, accountId: string, portalUserId: string, ttlSeconds: number) {
    await this.read(call, async (r) => {
      await this.scope(r, call, accountId, () => ({ type: 'token.issue' }));
      await this.member(r, accountId, portalUserId);
    });
    const t = await this.tokens.issue({ tenantId: call.principal.tenantId, portalUserId, ttlSeconds });
    await this.write(call, (w) => w.appendAudit([this.changed(call, { type: 'PortalUser', id: portalUserId }, 'token.issue', accountId, null, { tokenId: t.jti, expiresAt: t.expiresAt })]));
    return { token: t.token, expiresAt: t.expiresAt, portalUserId };
  }
}
