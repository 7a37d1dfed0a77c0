/**
 * The one application error. Every failure the product reports carries a stable `code`
 * (`area.snake_case`); `ERROR_CATALOG` maps it to an HTTP status and, for SCIM, to the
 * RFC 7644 §3.12 `scimType`. Routes never invent statuses: they throw AppError.
 */
export type ScimType =
  | 'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax'
  | 'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidVers' | 'sensitive'
  | 'invalidCursor' | 'expiredCursor' | 'invalidCount';

export const ERROR_CATALOG = {
  'auth.missing_credentials': { status: 401 },
  'auth.invalid_credentials': { status: 401 },
  'auth.forbidden_scope': { status: 403 },
  'auth.scim_not_enabled': { status: 403 },
  'request.not_found': { status: 404 },
  'request.invalid_json': { status: 400, scimType: 'invalidSyntax' },
  'request.invalid_syntax': { status: 400, scimType: 'invalidSyntax' },
  'request.invalid_value': { status: 400, scimType: 'invalidValue' },
  'request.invalid_filter': { status: 400, scimType: 'invalidFilter' },
  'request.invalid_path': { status: 400, scimType: 'invalidPath' },
  'request.no_target': { status: 400, scimType: 'noTarget' },
  'request.mutability': { status: 400, scimType: 'mutability' },
  'request.invalid_cursor': { status: 400, scimType: 'invalidCursor' },
  'request.invalid_count': { status: 400, scimType: 'invalidCount' },
  'request.too_many': { status: 400, scimType: 'tooMany' },
  'request.body_too_large': { status: 413 },
  'request.unsupported_media_type': { status: 400, scimType: 'invalidSyntax' },
  'request.rate_limited': { status: 429 },
  'request.not_implemented': { status: 501 },
  'resource.not_found': { status: 404 },
  'resource.uniqueness': { status: 409, scimType: 'uniqueness' },
  'resource.conflict': { status: 409 },
  'resource.version_mismatch': { status: 412 },
  'resource.not_modified': { status: 304 },
  'site.not_found': { status: 404 },
  'policy.protected_local_account': { status: 403 },
  'policy.content_owner_retained': { status: 409 },
  'policy.saml_username': { status: 400, scimType: 'invalidValue' },
  'tenant.cloud_admin_limit': { status: 409 },
  'import.busy': { status: 429 },
  'admin.invalid_body': { status: 400 },
  'portal.forbidden': { status: 403 },
  'portal.account_not_found': { status: 404 },
  'portal.user_not_found': { status: 404 },
  'portal.key_not_found': { status: 404 },
  'portal.already_member': { status: 409 },
  'portal.email_taken': { status: 409 },
  'portal.owner_not_member': { status: 400 },
  'store.unavailable': { status: 503 },
  'internal.error': { status: 500 },
} as const satisfies Record<string, { status: number; scimType?: ScimType }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Overrides the catalog's scimType where one code covers several RFC types. */
    readonly scimTypeOverride?: ScimType,
  ) {
    super(message);
  }
  get status(): number {
    return ERROR_CATALOG[this.code].status;
  }
  get scimType(): ScimType | undefined {
    return this.scimTypeOverride ?? (ERROR_CATALOG[this.code] as { scimType?: ScimType }).scimType;
  }
}

export const notFound = (what: string, id: string) =>
  new AppError('resource.not_found', `${what} ${id} not found`);
export const invalidValue = (message: string, details?: Record<string, unknown>) =>
  new AppError('request.invalid_value', message, details);
