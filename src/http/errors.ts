import { AppError } from '../domain/errors.js';
import { FilterError, SortError } from '../scim-filter/errors.js';

/**
 * The one translator from anything thrown to an AppError: body-parser failures are client
 * mistakes (400/413/415), our own errors pass through, everything else is a 500 whose details
 * stay in the log.
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  // Filters are translated by the storage adapter; an attribute it cannot query is still a client mistake.
  if (err instanceof FilterError) return new AppError('request.invalid_filter', err.message);
  if (err instanceof SortError) return new AppError('request.invalid_value', err.message);
  const e = err as { type?: string; status?: number; message?: string; expose?: boolean };
  switch (e?.type) {
    case 'entity.parse.failed':
      return new AppError('request.invalid_json', 'The request body is not valid JSON');
    case 'entity.too.large':
      return new AppError('request.body_too_large', 'The request body is larger than the server accepts');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('request.unsupported_media_type', e.message ?? 'Unsupported body encoding');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new AppError('request.invalid_syntax', 'The request body could not be read');
    default:
      return new AppError('internal.error', 'An unexpected error occurred');
  }
}

/** RFC 7644 §3.12 error body: `status` is a string; `scimType` only where the RFC defines one. */
export function scimErrorBody(err: AppError): Record<string, unknown> {
  const body: Record<string, unknown> = { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(err.status) };
  if (err.scimType) body.scimType = err.scimType;
  body.detail = err.message;
  return body;
}
