import { adminSchema, roleMappingSchema } from './validate.js';

const body = (def: string) => ({ required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${def}` } } } });
const ok = (description: string) => ({ description, content: { 'application/json': {} } });
const errors = {
  400: { description: 'Invalid body or parameter: `{code, message, details}`' },
  401: { description: 'Missing or invalid bearer token' },
  403: { description: 'The token scope does not allow this operation' },
  404: { description: 'Unknown site, user or group (or one of another tenant)' },
};

/** The OpenAPI 3.1 document of /api/v1, with the request schemas from `schemas/`. */
export function openApiDocument() {
  const op = (summary: string, extra: Record<string, unknown> = {}) => ({ summary, responses: { 200: ok('OK'), ...errors }, ...extra });
  return {
    openapi: '3.1.0',
    info: { title: 'rolegate admin API', version: '1' },
    servers: [{ url: '/api/v1' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Admin JWT (scopes tenantAdmin, siteAdmin, auditor) or the bootstrap admin token' } },
      schemas: { ...adminSchema.$defs, roleMapping: roleMappingSchema },
    },
    security: [{ bearer: [] }],
    paths: {
      '/sites': { get: op('List sites'), post: op('Create a site', { requestBody: body('createSite') }) },
      '/sites/{siteId}': { get: op('Describe a site (settings, auth configs, SCIM state)'), patch: op('Change site settings', { requestBody: body('patchSite') }) },
      '/sites/{siteId}/auth-configs': { get: op('List auth configurations'), post: op('Add a SAML / OIDC / TableauIDWithMFA configuration', { requestBody: body('authConfig') }) },
      '/sites/{siteId}/scim': { post: op('Enable SCIM with an auth configuration; rotates and returns the secret once', { requestBody: body('enableScim') }) },
      '/sites/{siteId}/licenses': { get: op('Capacity, used and borrowed seats per tier'), put: op('Set capacities (null = unlimited)', { requestBody: body('licenses') }) },
      '/sites/{siteId}/role-mapping': { get: op('Role-mapping rules'), put: op('Replace role-mapping rules', { requestBody: body('roleMapping') }) },
      '/sites/{siteId}/groups/{groupId}': { patch: op('Set a group floor (minimumSiteRole, grantLicenseMode)', { requestBody: body('groupFloor') }) },
      '/sites/{siteId}/users': { post: op('Add a user by email (admin channel)', { requestBody: body('addUser') }) },
      '/sites/{siteId}/users/{userId}': {
        get: op('A user with all memberships'), patch: op('Change role / license on this site', { requestBody: body('changeMembership') }),
        delete: op('Remove from this site (?mapAssetsTo=userId); owners are retained as Unlicensed'),
      },
      '/sites/{siteId}/content': { post: op('Register content items (one or an array)', { requestBody: body('content') }) },
      '/sites/{siteId}/content/transfer': { post: op('Transfer ownership', { requestBody: body('transfer') }) },
      '/sites/{siteId}/sign-ins': { post: op('Record a sign-in (applies onLogin grants)', { requestBody: body('signIn') }) },
      '/users/{userId}/cloud-admin': { put: op('Grant or revoke cloud administration (max 100)', { requestBody: body('cloudAdmin') }) },
      '/tokens': { post: op('Issue an admin JWT', { requestBody: body('issueToken') }) },
      '/audit': { get: op('Audit entries (siteId, userId, event, reason, client, since, until, cursor, limit)') },
    },
  };
}
