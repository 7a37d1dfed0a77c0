import { AppError } from '../../domain/errors.js';
import type { RequestContext } from '../../services/context.js';
import { scimErrorBody, toAppError } from '../errors.js';
import type { ScimResources } from './resources.js';
import { URN } from './schemas.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Replaces every `bulkId:<id>` reference in strings of `value` with the created resource id. */
function resolveRefs(value: unknown, ids: Map<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/bulkId:([A-Za-z0-9._~-]+)/g, (m, ref: string) => {
      const id = ids.get(ref);
      if (!id) throw new AppError('request.invalid_value', `Unresolved reference '${m}'`);
      return id;
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, ids));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, ids)]));
  return value;
}

/** At most this many operations, or this long, share one commit. */
const BATCH_OPERATIONS = 100;
const BATCH_MS = 100;

/**
 * RFC 7644 §3.7 /Bulk. Operations run in order; each one is its own unit of work (atomic),
 * `bulkId:` references resolve to ids created earlier in the request, and `failOnErrors`
 * stops processing after that many errors.
 */
export async function runBulk(resources: ScimResources, ctx: RequestContext, base: string, body: unknown, maxOperations: number): Promise<Json> {
  if (!isObject(body)) throw new AppError('request.invalid_syntax', 'The Bulk body must be a JSON object');
  const schemas = Array.isArray(body.schemas) ? body.schemas.map((s) => String(s).toLowerCase()) : [];
  if (!schemas.includes(URN.bulkRequest.toLowerCase())) throw new AppError('request.invalid_syntax', `Bulk requests must declare the schema ${URN.bulkRequest}`);
  const ops = body.Operations;
  if (!Array.isArray(ops)) throw new AppError('request.invalid_syntax', "Bulk requests must carry an 'Operations' array");
  if (ops.length > maxOperations) {
    throw new AppError('request.body_too_large', `The Bulk request has ${ops.length} operations; the maximum is ${maxOperations}`);
  }
  // Only a number (or a numeric string) converts: Number() on an object runs its (client-chosen) toString.
  const f = body.failOnErrors;
  const failOnErrors = f === undefined ? Infinity : typeof f === 'number' || typeof f === 'string' ? Number(f) : NaN;
  if (!Number.isInteger(failOnErrors) && failOnErrors !== Infinity) throw new AppError('request.invalid_value', 'failOnErrors must be an integer');
  const ids = new Map<string, string>();
  const results: Json[] = [];
  let errors = 0;

  const runOp = async (op: unknown): Promise<Json> => {
    const o = isObject(op) ? op : {};
    const method = String(o.method ?? '').toUpperCase();
    const bulkId = typeof o.bulkId === 'string' ? o.bulkId : undefined;
    const result: Json = { method };
    if (bulkId) result.bulkId = bulkId;
    try {
      if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) throw new AppError('request.invalid_syntax', `Invalid bulk method '${String(o.method)}'`);
      if (method === 'POST' && !bulkId) throw new AppError('request.invalid_syntax', 'POST operations need a bulkId');
      const path = String(resolveRefs(o.path ?? '', ids));
      const m = /^\/(Users|Groups)(?:\/([^/?]+))?\/?$/i.exec(path);
      if (!m || (method === 'POST') === Boolean(m[2])) throw new AppError('request.invalid_path', `Invalid bulk path '${path}' for ${method}`);
      const type = m[1].toLowerCase() === 'users' ? 'Users' : 'Groups';
      const reply = await resources.handle(ctx, base, {
        method, type, id: m[2] ? decodeURIComponent(m[2]) : undefined, body: resolveRefs(o.data, ids), query: {},
        ifMatch: typeof o.version === 'string' ? o.version : undefined,
      });
      if (method === 'POST' && bulkId && reply.body?.id) ids.set(bulkId, String(reply.body.id));
      if (reply.location && method !== 'DELETE') result.location = reply.location;
      if (reply.etag) result.version = reply.etag;
      result.status = String(reply.status);
    } catch (e) {
      const err = toAppError(e);
      errors++;
      result.status = String(err.status);
      result.response = scimErrorBody(err);
    }
    return result;
  };

  // Operations share a commit in chunks (each still its own unit of work: atomic, rolled back
  // alone on error): one commit per chunk instead of per operation. A chunk is bounded in
  // operations and time so that other writers wait at most that long; the reply, sent after
  // the last commit, acknowledges nothing that is not durable.
  let next = 0;
  while (next < ops.length && errors < failOnErrors) {
    await resources.batch(async () => {
      const started = Date.now();
      for (let n = 0; next < ops.length && errors < failOnErrors && n < BATCH_OPERATIONS && Date.now() - started < BATCH_MS; n++) {
        // Each operation runs on the synchronous store without yielding: let the event loop serve
        // other requests (/healthz, signals) between operations, or a 1,000-operation Bulk holds
        // the whole process for seconds.
        if (results.length) await new Promise<void>((resolve) => setImmediate(resolve));
        results.push(await runOp(ops[next++]));
      }
    });
  }
  return { schemas: [URN.bulkResponse], Operations: results };
}
