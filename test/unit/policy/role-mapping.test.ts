import { describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import type { SiteRole } from '../../../src/domain/site-roles.js';
import {
  evaluateRoleMapping, MAX_CONDITION_DEPTH, ROLE_MAPPING_SCHEMA, type Condition, type RoleMappingRules,
} from '../../../src/policy/role-mapping.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const TAB = 'urn:ietf:params:scim:schemas:extension:tableau:3.0';
const subject = {
  resource: {
    userName: 'ana@x.test',
    title: '  Data Scientist ',
    name: { givenName: 'Ana', familyName: 'López' },
    emails: [{ value: 'ana@x.test', type: 'work', primary: true }, { value: 'Ana.Home@Y.test', type: 'home' }],
    phoneNumbers: [],
    nickName: '   ',
    active: true,
    [ENT]: { department: 'Finance', manager: { value: 'm-1' }, costCenter: '', employeeNumber: 42 },
    [TAB]: { tier: 'wrong-key' },
    [`${TAB}:User`]: { tier: 'gold' },
  } as Record<string, unknown>,
  groups: [{ id: 'g-123', displayName: 'Tableau Creators' }, { id: 'g-456', displayName: 'Sales EMEA' }],
};

/** One rule granting Creator: the condition holds iff the result is Creator. */
const holds = (when: Condition) => evaluateRoleMapping({ rules: [{ when, siteRole: 'Creator' }] }, subject).value === 'Creator';

describe('role-mapping conditions', () => {
  const equalsTable: [string, Condition, boolean][] = [
    ['top-level attribute, trimmed', { attribute: 'title', equals: 'Data Scientist' }, true],
    ['case-insensitive value', { attribute: 'title', equals: 'DATA SCIENTIST' }, true],
    ['case-insensitive attribute name', { attribute: 'TITLE', equals: 'data scientist' }, true],
    ['different value', { attribute: 'title', equals: 'Analyst' }, false],
    ['sub-attribute', { attribute: 'name.givenName', equals: 'ana' }, true],
    ['multi-valued: any element (second email)', { attribute: 'emails.value', equals: 'ana.home@y.test' }, true],
    ['multi-valued complex without sub-attribute compares value', { attribute: 'emails', equals: 'ana@x.test' }, true],
    ['multi-valued: other sub-attribute', { attribute: 'emails.type', equals: 'HOME' }, true],
    ['enterprise URN prefix', { attribute: `${ENT}:department`, equals: 'finance' }, true],
    ['URN prefix is case-insensitive', { attribute: `${ENT.toUpperCase()}:Department`, equals: 'Finance' }, true],
    ['enterprise complex sub-attribute', { attribute: `${ENT}:manager.value`, equals: 'm-1' }, true],
    ['numbers compare as strings', { attribute: `${ENT}:employeeNumber`, equals: '42' }, true],
    ['booleans compare as strings', { attribute: 'active', equals: 'TRUE' }, true],
    ['core URN prefix addresses the top level', { attribute: 'urn:ietf:params:scim:schemas:core:2.0:User:name.familyName', equals: 'lópez' }, true],
    ['longest URN key wins (tableau:3.0 vs tableau:3.0:User)', { attribute: `${TAB}:User:tier`, equals: 'gold' }, true],
    ['unknown URN matches nothing', { attribute: 'urn:example:ext:department', equals: 'Finance' }, false],
    ['missing attribute matches nothing', { attribute: 'costCenter', equals: '' }, false],
    ['bad path matches nothing', { attribute: 'name..givenName', equals: 'Ana' }, false],
  ];
  it.each(equalsTable)('SPEC-5.1 attribute equals: %s', (_n, when, expected) => {
    expect(holds(when)).toBe(expected);
  });

  const inTable: [string, Condition, boolean][] = [
    ['value among several', { attribute: 'title', in: ['Analyst', 'data scientist'] }, true],
    ['no value among several', { attribute: 'title', in: ['Analyst', 'Engineer'] }, false],
    ['multi-valued attribute, any element', { attribute: 'emails.value', in: ['nobody@x.test', 'ANA@X.TEST'] }, true],
    ['empty list', { attribute: 'title', in: [] }, false],
  ];
  it.each(inTable)('SPEC-5.1 attribute in: %s', (_n, when, expected) => {
    expect(holds(when)).toBe(expected);
  });

  const presentTable: [string, Condition, boolean][] = [
    ['non-empty string', { attribute: 'title', present: true }, true],
    ['blank string is not present', { attribute: 'nickName', present: true }, false],
    ['empty string in an extension is not present', { attribute: `${ENT}:costCenter`, present: true }, false],
    ['empty array is not present', { attribute: 'phoneNumbers', present: true }, false],
    ['complex attribute with content', { attribute: `${ENT}:manager`, present: true }, true],
    ['a boolean counts as present', { attribute: 'active', present: true }, true],
    ['absent attribute', { attribute: 'locale', present: true }, false],
  ];
  it.each(presentTable)('SPEC-5.1 attribute present: %s', (_n, when, expected) => {
    expect(holds(when)).toBe(expected);
  });

  const groupTable: [string, Condition, boolean][] = [
    ['by displayName', { group: 'Tableau Creators' }, true],
    ['by displayName, case-insensitive and trimmed', { group: ' tableau creators ' }, true],
    ['by id (exact)', { group: 'g-456' }, true],
    ['id is case-sensitive', { group: 'G-456' }, false],
    ['not a member', { group: 'Finance' }, false],
  ];
  it.each(groupTable)('SPEC-5.1 group condition: %s', (_n, when, expected) => {
    expect(holds(when)).toBe(expected);
  });

  const yes: Condition = { group: 'Sales EMEA' };
  const no: Condition = { attribute: 'title', equals: 'CEO' };
  const combTable: [string, Condition, boolean][] = [
    ['all: every branch holds', { all: [yes, { attribute: `${ENT}:department`, equals: 'Finance' }] }, true],
    ['all: one branch fails', { all: [yes, no] }, false],
    ['any: one branch holds', { any: [no, yes] }, true],
    ['any: no branch holds', { any: [no, no] }, false],
    ['nested all inside any', { any: [no, { all: [yes, { any: [no, { group: 'g-123' }] }] }] }, true],
    ['empty all is vacuously true', { all: [] }, true],
    ['empty any is false', { any: [] }, false],
  ];
  it.each(combTable)('SPEC-5.1 all/any: %s', (_n, when, expected) => {
    expect(holds(when)).toBe(expected);
  });

  it('SPEC-5.1 malformed conditions from storage never match and never throw', () => {
    for (const bad of [null, 'x', {}, { attribute: 3, equals: 'x' }, { attribute: 'title' }, { group: 7 }, { all: 'x' }, { attribute: 'title', present: false }]) {
      expect(holds(bad as unknown as Condition)).toBe(false);
    }
    let deep: Condition = { group: 'Sales EMEA' };
    for (let i = 0; i < 100; i++) deep = { all: [deep] };
    expect(holds(deep)).toBe(false);
  });
});

describe('role-mapping evaluation', () => {
  const spec: RoleMappingRules = {
    rules: [
      { when: { attribute: `${ENT}:department`, equals: 'Finance' }, siteRole: 'Viewer' },
      { when: { attribute: 'title', in: ['Analyst', 'Data Scientist'] }, siteRole: 'Explorer' },
      { when: { group: 'Tableau Creators' }, siteRole: 'Creator' },
      { when: { group: 'Nobody' }, siteRole: 'SiteAdministratorCreator' },
    ],
    default: 'Unlicensed',
  };
  const table: [string, RoleMappingRules, SiteRole | undefined, string[]][] = [
    ['SPEC example: every match counts, highest wins', spec, 'Creator', ['ROLE_MAPPING_RULE_0', 'ROLE_MAPPING_RULE_1', 'ROLE_MAPPING_RULE_2']],
    ['rule order does not matter', { rules: [...spec.rules].reverse() }, 'Creator', ['ROLE_MAPPING_RULE_1', 'ROLE_MAPPING_RULE_2', 'ROLE_MAPPING_RULE_3']],
    ['a single match', { rules: spec.rules.slice(0, 1) }, 'Viewer', ['ROLE_MAPPING_RULE_0']],
    ['no match: the rules default', { rules: spec.rules.slice(3), default: 'Viewer' }, 'Viewer', ['ROLE_MAPPING_DEFAULT']],
    ['no match and no default: undefined', { rules: spec.rules.slice(3) }, undefined, []],
    ['no rules at all: the default', { rules: [], default: 'Explorer' }, 'Explorer', ['ROLE_MAPPING_DEFAULT']],
    ['a rule with a non-assignable role is skipped',
      { rules: [{ when: { group: 'g-123' }, siteRole: 'Publisher' as SiteRole }, spec.rules[0]!] }, 'Viewer', ['ROLE_MAPPING_RULE_1']],
    ['a non-assignable default is ignored', { rules: [], default: 'Guest' as SiteRole }, undefined, []],
  ];
  it.each(table)('R-SCIM-39 SPEC-5.1 %s', (_n, rules, role, reasons) => {
    const d = evaluateRoleMapping(rules, subject);
    expect(d.value).toBe(role);
    expect(d.reasons).toEqual(reasons);
  });
});

describe('ROLE_MAPPING_SCHEMA', () => {
  const validate = new Ajv({ allErrors: true, strict: true }).compile(ROLE_MAPPING_SCHEMA);
  const nest = (depth: number): Condition => {
    let c: Condition = { group: 'x' };
    for (let i = 0; i < depth; i++) c = i % 2 ? { any: [c] } : { all: [c] };
    return c;
  };
  const ok = (when: unknown, extra: Record<string, unknown> = {}) => ({ rules: [{ when, siteRole: 'Viewer' }], ...extra });
  const table: [string, unknown, boolean][] = [
    ['the SPEC §5.1 example', {
      rules: [
        { when: { attribute: `${ENT}:department`, equals: 'Finance' }, siteRole: 'Viewer' },
        { when: { attribute: 'title', in: ['Analyst', 'Data Scientist'] }, siteRole: 'Explorer' },
        { when: { group: 'Tableau Creators' }, siteRole: 'Creator' },
      ],
      default: 'Unlicensed',
    }, true],
    ['empty rules', { rules: [] }, true],
    ['present: true', ok({ attribute: 'title', present: true }), true],
    [`nesting at the limit (${MAX_CONDITION_DEPTH})`, ok(nest(MAX_CONDITION_DEPTH)), true],
    ['nesting beyond the limit', ok(nest(MAX_CONDITION_DEPTH + 1)), false],
    ['missing rules', { default: 'Viewer' }, false],
    ['unknown top-level property', { rules: [], extra: 1 }, false],
    ['unknown rule property', { rules: [{ when: { group: 'x' }, siteRole: 'Viewer', priority: 1 }] }, false],
    ['unknown condition property', ok({ group: 'x', negate: true }), false],
    ['two condition kinds at once', ok({ attribute: 'title', equals: 'a', in: ['b'] }), false],
    ['attribute without operator', ok({ attribute: 'title' }), false],
    ['present: false', ok({ attribute: 'title', present: false }), false],
    ['empty in', ok({ attribute: 'title', in: [] }), false],
    ['blank attribute', ok({ attribute: '  ', equals: 'x' }), false],
    ['empty all', ok({ all: [] }), false],
    ['non-string equals', ok({ attribute: 'title', equals: 3 }), false],
    ['legacy role', { rules: [{ when: { group: 'x' }, siteRole: 'Publisher' }] }, false],
    ['ServerAdministrator role', { rules: [{ when: { group: 'x' }, siteRole: 'ServerAdministrator' }] }, false],
    ['legacy default', { rules: [], default: 'Interactor' }, false],
    ['role names are exact (case matters in stored rules)', { rules: [], default: 'viewer' }, false],
  ];
  it.each(table)('R-SCIM-37 SPEC-5.1 schema: %s', (_n, body, valid) => {
    expect(validate(body)).toBe(valid);
  });
});

describe('schemas/role-mapping.schema.json', () => {
  it('SPEC-5.1 the published JSON file is ROLE_MAPPING_SCHEMA (no drift)', async () => {
    const { readFile } = await import('node:fs/promises');
    const file = JSON.parse(await readFile(new URL('../../../schemas/role-mapping.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const { $id: _id, ...rest } = file;
    expect(rest).toEqual(JSON.parse(JSON.stringify(ROLE_MAPPING_SCHEMA)));
  });
});
