import SCIMMY from 'scimmy';
import { SITE_ROLES } from '../../domain/site-roles.js';

/**
 * scimmy declarations: the one registry of SCIM schemas (core User + EnterpriseUser + the
 * Tableau extension, core Group). scimmy is used for what it does well — schema definitions,
 * discovery documents, input coercion and PatchOp — never for filtering, paging or routing.
 */
export const URN = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterprise: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  tableau: 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User',
  /** Tableau's documented body key (R-SCIM-30/33); accepted on input, never emitted. */
  tableauAlias: 'urn:ietf:params:scim:schemas:extension:tableau:3.0',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  bulkRequest: 'urn:ietf:params:scim:api:messages:2.0:BulkRequest',
  bulkResponse: 'urn:ietf:params:scim:api:messages:2.0:BulkResponse',
  searchRequest: 'urn:ietf:params:scim:api:messages:2.0:SearchRequest',
} as const;

const { Attribute, SchemaDefinition } = SCIMMY.Types;

const roleValue = () => new Attribute('string', 'value', {
  caseExact: true,
  description: `A site role: ${SITE_ROLES.join(', ')}. Output shows the effective role.`,
});

export const TableauUserSchema = new SchemaDefinition('TableauUser', URN.tableau, 'Tableau site role of the user on this site', [
  new Attribute('complex', 'siteRoles', { multiValued: true, description: 'Requested (input) / effective (output) site role' }, [
    roleValue(),
    new Attribute('boolean', 'primary', { description: 'The role to use when several are sent' }),
  ]),
  new Attribute('complex', 'entitlements', { multiValued: true, description: 'Alternative carrier of the site role (evaluated after siteRoles)' }, [
    roleValue(),
    new Attribute('boolean', 'primary'),
  ]),
]);

let declared = false;

/** Declares resources and the ServiceProviderConfig once per process (scimmy is a singleton). */
export function declareScimSchemas(limits: { maxPageSize: number; maxBodyBytes: number; bulkMaxOperations: number }) {
  if (!declared) {
    // scimmy's User.extend() typing wants a Schema class; the definition works at run time (SCIMMY-NOTES §4.1).
    SCIMMY.Resources.declare(
      SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser as never, false).extend(TableauUserSchema as never, false),
    );
    SCIMMY.Resources.declare(SCIMMY.Resources.Group);
    // Emails of type "Work" from some clients must not 400 (canonicalValues are case-sensitive in scimmy).
    for (const path of ['emails.type', 'phoneNumbers.type', 'addresses.type', 'ims.type', 'photos.type']) {
      const attr = SCIMMY.Schemas.User.definition.attribute(path) as unknown as { config: Record<string, unknown> };
      attr.config.canonicalValues = false;
    }
    declared = true;
  }
  SCIMMY.Config.set({
    documentationUri: 'https://github.com/rolegate/rolegate#readme',
    patch: true,
    bulk: { supported: true, maxOperations: limits.bulkMaxOperations, maxPayloadSize: limits.maxBodyBytes },
    filter: { supported: true, maxResults: limits.maxPageSize },
    changePassword: false,
    sort: true,
    etag: true,
    authenticationSchemes: [{
      type: 'oauthbearertoken', name: 'OAuth Bearer Token', primary: true,
      description: 'Authentication with the site SCIM secret (or an OAuth 2.0 access token) as a bearer token',
      specUri: 'https://www.rfc-editor.org/info/rfc6750',
    }],
  } as never);
}

export { SCIMMY };
