/**
 * JSON Schema (draft-07, for ajv) of a site's role-mapping rules (SPEC §5.1). Re-exported by
 * `role-mapping.ts` as `ROLE_MAPPING_SCHEMA`; kept apart so the evaluator stays short.
 */
import { SITE_ROLES } from '../domain/site-roles.js';

/**
 * How deep `all`/`any` may nest inside one `when` (4 = `all → any → all → any → leaf`). JSON
 * Schema cannot count recursion, so the levels are unrolled: level k's combinators hold
 * level k+1 conditions and the last level holds leaves only. Deeper trees are a sign of a
 * generated or hostile body, not of a real entitlement model.
 */
export const MAX_CONDITION_DEPTH = 4;
/** Bounds that keep evaluation cheap on every user write (rules × conditions × values). */
export const MAX_RULES = 500;
export const MAX_BRANCHES = 50;
export const MAX_IN_VALUES = 200;

const attribute = { type: 'string', minLength: 1, maxLength: 512, pattern: '\\S' } as const;
const text = { type: 'string', maxLength: 1024 } as const;
const siteRole = { type: 'string', enum: [...SITE_ROLES] } as const;

const leaf = (required: string, schema: object) => ({
  type: 'object',
  additionalProperties: false,
  required: required === 'group' ? ['group'] : ['attribute', required],
  properties: required === 'group' ? { group: schema } : { attribute, [required]: schema },
});

const combinator = (key: 'all' | 'any', next: string) => ({
  type: 'object',
  additionalProperties: false,
  required: [key],
  properties: { [key]: { type: 'array', minItems: 1, maxItems: MAX_BRANCHES, items: { $ref: `#/definitions/${next}` } } },
});

/** `condition0` … `condition<MAX>`: one definition per nesting level (see MAX_CONDITION_DEPTH). */
function levels(): Record<string, object> {
  const out: Record<string, object> = {};
  for (let k = 0; k <= MAX_CONDITION_DEPTH; k++) {
    out[`condition${k}`] = k === MAX_CONDITION_DEPTH
      ? { $ref: '#/definitions/leaf' }
      : { oneOf: [{ $ref: '#/definitions/leaf' }, combinator('all', `condition${k + 1}`), combinator('any', `condition${k + 1}`)] };
  }
  return out;
}

/** The schema the admin API validates `PUT /sites/{id}/role-mapping` bodies with (ajv, draft-07). */
export const ROLE_MAPPING_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'rolegate role-mapping rules',
  type: 'object',
  additionalProperties: false,
  required: ['rules'],
  properties: {
    rules: {
      type: 'array',
      maxItems: MAX_RULES,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['when', 'siteRole'],
        properties: { when: { $ref: '#/definitions/condition0' }, siteRole },
      },
    },
    default: siteRole,
  },
  definitions: {
    leaf: {
      oneOf: [
        leaf('equals', text),
        leaf('in', { type: 'array', minItems: 1, maxItems: MAX_IN_VALUES, items: text }),
        leaf('present', { type: 'boolean', const: true }),
        leaf('group', { type: 'string', minLength: 1, maxLength: 1024 }),
      ],
    },
    ...levels(),
  },
} as const;
