/** The attribute catalogue: name resolution (RFC 7643 §2.1, RFC 7644 §3.10) and caseExact (RFC 7643 §2.2). */
import { attributesOf, resolveAttribute, type ResourceName } from '../../../src/scim-filter/attributes.js';
import type { AttrPath } from '../../../src/scim-filter/ast.js';
import { FilterError } from '../../../src/scim-filter/errors.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const TAB = 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User';
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';

function describePath(resource: ResourceName, path: AttrPath) {
  const { attribute, sub } = resolveAttribute(resource, path);
  const d = sub ?? attribute;
  return { path: d.path, type: d.type, caseExact: d.caseExact, multiValued: attribute.multiValued };
}

describe('resolveAttribute', () => {
  it.each<[ResourceName, AttrPath, string, string, boolean, boolean]>([
    ['User', { attr: 'userName' }, 'userName', 'string', false, false],
    ['User', { attr: 'USERNAME' }, 'userName', 'string', false, false],
    ['User', { attr: 'id' }, 'id', 'string', true, false],
    ['User', { attr: 'externalId' }, 'externalId', 'string', true, false],
    ['User', { attr: 'displayName' }, 'displayName', 'string', false, false],
    ['User', { attr: 'name', sub: 'FamilyName' }, 'name.familyName', 'string', false, false],
    ['User', { attr: 'name', sub: 'honorificSuffix' }, 'name.honorificSuffix', 'string', false, false],
    ['User', { attr: 'profileUrl' }, 'profileUrl', 'reference', false, false],
    ['User', { attr: 'ActiVe' }, 'active', 'boolean', false, false],
    ['User', { attr: 'emails' }, 'emails', 'complex', false, true],
    ['User', { attr: 'emails', sub: 'Value' }, 'emails.value', 'string', false, true],
    ['User', { attr: 'emails', sub: 'primary' }, 'emails.primary', 'boolean', false, true],
    ['User', { attr: 'x509Certificates', sub: 'value' }, 'x509Certificates.value', 'binary', true, true],
    ['User', { attr: 'groups', sub: 'value' }, 'groups.value', 'string', true, true],
    ['User', { attr: 'groups', sub: '$ref' }, 'groups.$ref', 'reference', true, true],
    ['User', { attr: 'meta', sub: 'created' }, 'meta.created', 'dateTime', false, false],
    ['User', { attr: 'meta', sub: 'LASTMODIFIED' }, 'meta.lastModified', 'dateTime', false, false],
    ['User', { attr: 'meta', sub: 'version' }, 'meta.version', 'string', true, false],
    ['User', { attr: 'meta', sub: 'resourceType' }, 'meta.resourceType', 'string', true, false],
    ['User', { schema: CORE, attr: 'userName' }, 'userName', 'string', false, false],
    ['User', { schema: CORE.toUpperCase(), attr: 'title' }, 'title', 'string', false, false],
    ['User', { schema: ENT, attr: 'department' }, 'department', 'string', false, false],
    ['User', { schema: ENT.toLowerCase(), attr: 'Manager', sub: 'Value' }, 'manager.value', 'string', true, false],
    ['User', { schema: ENT, attr: 'manager', sub: '$ref' }, 'manager.$ref', 'reference', true, false],
    ['User', { schema: ENT, attr: 'manager', sub: 'displayName' }, 'manager.displayName', 'string', false, false],
    ['User', { attr: 'employeeNumber' }, 'employeeNumber', 'string', false, false],
    ['User', { schema: TAB, attr: 'siteRoles', sub: 'value' }, 'siteRoles.value', 'string', true, true],
    ['User', { schema: 'urn:ietf:params:scim:schemas:extension:tableau:3.0', attr: 'siteRoles' }, 'siteRoles', 'complex', false, true],
    ['Group', { attr: 'displayName' }, 'displayName', 'string', false, false],
    ['Group', { attr: 'members', sub: 'value' }, 'members.value', 'string', true, true],
    ['Group', { attr: 'members', sub: 'type' }, 'members.type', 'string', false, true],
    ['Group', { schema: 'urn:ietf:params:scim:schemas:core:2.0:Group', attr: 'externalId' }, 'externalId', 'string', true, false],
  ])('%s %j → %s', (resource, path, name, type, caseExact, multiValued) => {
    expect(describePath(resource, path)).toEqual({ path: name, type, caseExact, multiValued });
  });

  it.each<[ResourceName, AttrPath, RegExp]>([
    ['User', { attr: 'foo' }, /Unknown attribute 'foo'/],
    ['User', { attr: 'password' }, /Unknown attribute/],
    ['User', { attr: 'members' }, /Unknown attribute 'members' for User/],
    ['Group', { attr: 'userName' }, /Unknown attribute 'userName' for Group/],
    ['User', { attr: 'name', sub: 'nope' }, /Unknown sub-attribute 'nope' of 'name'/],
    ['User', { attr: 'userName', sub: 'x' }, /has no sub-attribute/],
    ['User', { schema: 'urn:example:unknown', attr: 'userName' }, /Unknown schema/],
    ['User', { schema: ENT, attr: 'userName' }, /Unknown attribute/],
    ['User', { schema: 'urn:ietf:params:scim:schemas:core:2.0:Group', attr: 'displayName' }, /Unknown schema/],
    ['User', { schema: TAB, attr: 'entitlements' }, /Unknown attribute/],
  ])('%s %j is rejected', (resource, path, message) => {
    expect(() => resolveAttribute(resource, path)).toThrow(FilterError);
    expect(() => resolveAttribute(resource, path)).toThrow(message);
  });

  it('lists every RFC 7643 §4.1 User attribute', () => {
    const names = attributesOf('User').map((a) => a.name);
    expect(names).toEqual(expect.arrayContaining([
      'userName', 'name', 'displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale',
      'timezone', 'active', 'emails', 'phoneNumbers', 'ims', 'photos', 'addresses', 'groups', 'entitlements', 'roles',
      'x509Certificates', 'externalId', 'id', 'meta', 'employeeNumber', 'costCenter', 'organization', 'division',
      'department', 'manager', 'siteRoles',
    ]));
  });
});
