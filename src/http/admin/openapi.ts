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
      '/audit': { get: op('Audit entries, newest first (siteId, userId, groupId, event, reason, client, kind, since, until, cursor, limit)') },
      '/audit/export': { get: op('Streamed export (format=ndjson|csv, same filters)') },
      '/audit/verify': { get: op('Recompute the hash chain: {ok, checked, firstBrokenId?}') },
      '/audit/purge': { post: op('Purge entries older than {retentionDays}; the chain stays verifiable through an anchor') },
      '/reports/licenses': { get: op('Capacity, used and borrowed seats per site and tier') },
      '/reports/retained-owners': { get: op('Memberships kept as Unlicensed content owners') },
      '/reports/waiting-for-seat': { get: op('Licensed requests waiting for a seat, oldest first') },
      '/reports/wasted-seats': { get: op('Higher-tier seats held by lower roles; licensed users idle for idleDays') },
      '/reports/drift': { get: op('Manual role changes overwritten by the IdP') },
      '/reports/idp-activity': { get: op('Requests and errors per client per day') },
      '/sites/{siteId}/credentials': { get: op('SCIM credentials of the site (never secrets), with lastUsedAt') },
      '/sites/{siteId}/credentials/{credentialId}': { delete: op('Revoke a credential') },
      '/sites/{siteId}/oauth-clients': { post: op('Create an OAuth 2.0 client-credentials client (secret shown once)') },
      '/sites/{siteId}/oauth-clients/{clientId}': { delete: op('Revoke a client and its access tokens') },
      '/sites/{siteId}/auth-configs/{configId}': { patch: op('Enable or disable an auth configuration', { requestBody: body('authConfigPatch') }) },
      '/sites/{siteId}/imports': { post: op('Import a Tableau CSV (text/csv; format, mode, dryRun) → 202 {jobId}') },
      '/imports/{jobId}': { get: op('Import job progress and per-row report') },
      '/sites/{siteId}/users/export': { get: op('Users of the site as a Tableau CSV (format=cloud|tcm|server)') },
      '/users': { get: op('Tenant users with their memberships (siteId, role, cloudAdmin, cursor, limit)') },
      '/users/counts': { get: op('Users per role, per site and for the tenant') },
      '/licenses': {
        get: op('The tenant license pool: scope (site | tenant), capacity, used'),
        put: op('Pool seats per site (Cloud) or per tenant (Server mode: one seat per user at the highest role)', { requestBody: body('tenantLicenses') }),
      },
      '/users/{userId}/site-memberships': { put: op('Set memberships on several sites atomically') },
      '/users/{userId}': { delete: op('Tenant-wide removal under the multi-site rules (?mapAssetsTo=)') },
      '/users/delete': { post: op('Bulk tenant-wide removal (userIds or userNames)') },
      '/portal/accounts': { get: op('Portal accounts'), post: op('Create a portal account') },
      '/portal/accounts/{accountId}': { get: op('A portal account') },
      '/portal/accounts/{accountId}/users': { get: op('Portal users with personas'), post: op('Add a portal user') },
      '/portal/accounts/{accountId}/users/{portalUserId}': { get: op('A portal user'), patch: op('Change a portal user'), delete: op('Remove a portal user') },
      '/portal/accounts/{accountId}/keys': { get: op('Product keys the caller may see'), post: op('Create a product key') },
      '/portal/accounts/{accountId}/users/{portalUserId}/tokens': { post: op('A bearer token acting as that portal user') },
      '/oauth/token': { post: op('OAuth 2.0 token endpoint (client_credentials), served at /oauth/token outside /api/v1', { security: [] }) },
    },
  };
}
