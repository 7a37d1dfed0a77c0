/**
 * Where the Mongo adapter keeps each catalogue column (attributes.ts `ColumnLocation`), so the
 * filter and sort translators can address documents without knowing the adapter.
 *
 * Users: a SCIM User of a site is one document of `memberships` carrying a copy of the tenant
 * user (`u.*`) and its searchable attributes (`s`, see to-mongo-doc.ts). Why denormalised: the
 * IdP lookups (`userName eq`, `externalId eq`, `displayName eq`, `id eq`,
 * `emails[type eq "work"].value eq`) then hit one compound index `(siteId, field)` of one
 * collection, and paging, counting and sorting stay single-collection queries. Querying users
 * first and joining memberships would make every page a `$lookup` and every filtered count a
 * two-step query; the price of the copy is one `updateMany` over the user's few memberships
 * (one per site) when the identity changes — rare next to reads.
 */

/** A field, and whether it holds the lower-cased value (a shadow of a non-caseExact string). */
export interface MongoField {
  field: string;
  lowered: boolean;
}

/** Catalogue column (`table.column`) → field, per document kind the translators match on. */
export type ColumnMap = Readonly<Record<string, MongoField>>;

export interface MongoLayout {
  /** Membership documents (the Users list). */
  user: ColumnMap;
  /** Field of the membership document holding the searchable copy of `users.data`. */
  userSearch: string;
  /** Group documents (the Groups list). */
  group: ColumnMap;
  /** A group document reached through `User.groups` (its elements are the site's groups of the user). */
  userGroup: ColumnMap;
  /** A member document (`Group.members`). */
  groupMember: ColumnMap;
  /** Join keys used by `$lookup`. */
  join: {
    groupMembers: string;
    groups: string;
    /** membership.userId → member.memberId; group._id → member.groupId; group.siteId. */
    userId: string;
    memberId: string;
    groupId: string;
    groupKey: string;
    groupSite: string;
  };
}

const f = (field: string, lowered = false): MongoField => ({ field, lowered });

/** The layout of the rolegate Mongo adapter (src/adapters/mongo). */
export const MONGO_LAYOUT: MongoLayout = {
  user: {
    'users.id': f('userId'),
    'users.external_id': f('u.externalId'),
    'users.user_name_lower': f('u.userNameLower', true),
    'users.display_name_lower': f('u.displayNameLower', true),
    'site_memberships.active': f('active'),
    'site_memberships.created_at': f('createdAt'),
    'site_memberships.updated_at': f('updatedAt'),
    'site_memberships.site_role': f('siteRole'),
  },
  userSearch: 's',
  group: {
    'groups.id': f('_id'),
    'groups.external_id': f('externalId'),
    'groups.display_name_lower': f('displayNameLower', true),
    'groups.created_at': f('createdAt'),
    'groups.updated_at': f('updatedAt'),
  },
  userGroup: {
    'group_members.group_id': f('_id'),
    'groups.display_name_lower': f('displayNameLower', true),
  },
  groupMember: {
    'group_members.member_id': f('memberId'),
    'group_members.display': f('displayLower', true),
    'group_members.member_type': f('typeLower', true),
  },
  join: {
    groupMembers: 'group_members', groups: 'groups',
    userId: 'userId', memberId: 'memberId', groupId: 'groupId', groupKey: '_id', groupSite: 'siteId',
  },
};
