import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { AppError } from '../../domain/errors.js';
import schema from '../../../schemas/admin-api.schema.json' with { type: 'json' };
import roleMapping from '../../../schemas/role-mapping.schema.json' with { type: 'json' };

/** ajv (allErrors) over the JSON Schemas in `schemas/`; one compiled validator per body kind. */
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(schema);
const compiled = new Map<string, ValidateFunction>();

export type BodyKind = keyof typeof schema.$defs | 'roleMapping';

function validator(kind: BodyKind): ValidateFunction {
  let v = compiled.get(kind);
  if (!v) {
    v = kind === 'roleMapping' ? ajv.compile(roleMapping) : ajv.getSchema(`${schema.$id}#/$defs/${kind}`)!;
    compiled.set(kind, v);
  }
  return v;
}

export interface BodyProblem { path: string; message: string; property?: string; allowed?: unknown[] }

/** ajv's errors as the `details.problems` every admin API validation error carries (at most 20). */
export function ajvProblems(errors: ErrorObject[] | null | undefined): BodyProblem[] {
  return (errors ?? []).slice(0, 20).map((e) => ({
    path: e.instancePath || '/', message: e.message ?? 'is invalid',
    ...(e.keyword === 'additionalProperties' ? { property: (e.params as { additionalProperty: string }).additionalProperty } : {}),
    ...(e.keyword === 'enum' ? { allowed: (e.params as { allowedValues: unknown[] }).allowedValues } : {}),
  }));
}

/** @throws AppError admin.invalid_body listing every problem (path and message). */
export function validateBody<T>(kind: BodyKind, body: unknown): T {
  const v = validator(kind);
  if (v(body)) return body as T;
  const problems = ajvProblems(v.errors);
  throw new AppError('admin.invalid_body', `The request body is not a valid ${kind}: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, { problems });
}

export { schema as adminSchema, roleMapping as roleMappingSchema };
