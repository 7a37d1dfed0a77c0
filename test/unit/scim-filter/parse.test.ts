/** parseFilter / parsePath: the RFC 7644 §3.4.2.2 grammar, client lenience, and every error path. */
import type { FilterNode } from '../../../src/scim-filter/ast.js';
import { FilterError } from '../../../src/scim-filter/errors.js';
import { parseFilter, parsePath } from '../../../src/scim-filter/parse.js';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const cmp = (attr: string, op: string, value: unknown, extra: object = {}): FilterNode =>
  ({ kind: 'compare', path: { attr, ...extra }, op, value } as FilterNode);
const sub = (attr: string, s: string, op: string, value: unknown): FilterNode =>
  ({ kind: 'compare', path: { attr, sub: s }, op, value } as FilterNode);
const raw = (node: FilterNode, text: string): FilterNode => ({ ...node, raw: text } as FilterNode);
const and = (...items: FilterNode[]): FilterNode => ({ kind: 'and', items });
const or = (...items: FilterNode[]): FilterNode => ({ kind: 'or', items });
const not = (item: FilterNode): FilterNode => ({ kind: 'not', item });
const pr = (attr: string, s?: string): FilterNode => ({ kind: 'present', path: s ? { attr, sub: s } : { attr } });
const vp = (attr: string, filter: FilterNode): FilterNode => ({ kind: 'valuePath', attr: { attr }, filter });

describe('parseFilter: valid filters', () => {
  it.each<[string, FilterNode]>([
    // every operator
    ['userName eq "bjensen"', cmp('userName', 'eq', 'bjensen')],
    ['title ne "x"', cmp('title', 'ne', 'x')],
    ['name.familyName co "O\'Malley"', sub('name', 'familyName', 'co', "O'Malley")],
    ['userName sw "J"', cmp('userName', 'sw', 'J')],
    ['userName ew "@example.com"', cmp('userName', 'ew', '@example.com')],
    ['title pr', pr('title')],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', sub('meta', 'lastModified', 'gt', '2011-05-13T04:42:34Z')],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', sub('meta', 'lastModified', 'ge', '2011-05-13T04:42:34Z')],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', sub('meta', 'lastModified', 'lt', '2011-05-13T04:42:34Z')],
    ['meta.lastModified le "2011-05-13T04:42:34Z"', sub('meta', 'lastModified', 'le', '2011-05-13T04:42:34Z')],
    // case-insensitive operators and keywords, whitespace
    ['userName EQ "x"', cmp('userName', 'eq', 'x')],
    ['title Pr', pr('title')],
    ['a eq "1" AND b eq "2" Or c eq "3"', or(and(cmp('a', 'eq', '1'), cmp('b', 'eq', '2')), cmp('c', 'eq', '3'))],
    ['NOT (a pr)', not(pr('a'))],
    ['  \ta   eq\t"1"  ', cmp('a', 'eq', '1')],
    ['userName eq"x"', cmp('userName', 'eq', 'x')],
    // precedence: and binds tighter than or; parentheses override
    ['a pr or b pr and c pr', or(pr('a'), and(pr('b'), pr('c')))],
    ['a pr and b pr or c pr', or(and(pr('a'), pr('b')), pr('c'))],
    ['(a pr or b pr) and c pr', and(or(pr('a'), pr('b')), pr('c'))],
    ['a pr and (b pr or c pr)', and(pr('a'), or(pr('b'), pr('c')))],
    ['a pr or b pr or c pr', or(pr('a'), pr('b'), pr('c'))],
    ['a pr and b pr and c pr or d pr', or(and(pr('a'), pr('b'), pr('c')), pr('d'))],
    // not, with and without a space, and nested
    ['not (a pr or b pr)', not(or(pr('a'), pr('b')))],
    ['not(displayName eq "Tom and Jerry")', not(cmp('displayName', 'eq', 'Tom and Jerry'))],
    ['a pr and not(b pr)', and(pr('a'), not(pr('b')))],
    ['not (not (a pr))', not(not(pr('a')))],
    ['((((a pr))))', pr('a')],
    ['((a pr) or ((b pr) and (c pr)))', or(pr('a'), and(pr('b'), pr('c')))],
    // value paths
    ['emails[type eq "work"]', vp('emails', cmp('type', 'eq', 'work'))],
    ['emails [type eq "work"]', vp('emails', cmp('type', 'eq', 'work'))],
    ['emails[type eq "work" and value co "@example.com"]', vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com')))],
    ['emails[type eq "work" and (value ew "@a.com" or value ew "@b.com")]',
      vp('emails', and(cmp('type', 'eq', 'work'), or(cmp('value', 'ew', '@a.com'), cmp('value', 'ew', '@b.com'))))],
    ['emails[type eq "work" or type eq "home"]', vp('emails', or(cmp('type', 'eq', 'work'), cmp('type', 'eq', 'home')))],
    ['emails[not (type eq "work")]', vp('emails', not(cmp('type', 'eq', 'work')))],
    ['emails[( type eq "work" )]', vp('emails', cmp('type', 'eq', 'work'))],
    ['emails[primary pr]', vp('emails', pr('primary'))],
    ['userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      and(cmp('userType', 'eq', 'Employee'), vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com'))))],
    ['members[value eq "2819c223"]', vp('members', cmp('value', 'eq', '2819c223'))],
    // Entra: emails[type eq "work"].value eq "x" → bracket filter AND trailing test, same element
    ['emails[type eq "work"].value eq "x@y.com"', vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'eq', 'x@y.com')))],
    ['emails[type eq "work" or type eq "home"].value pr', vp('emails', and(or(cmp('type', 'eq', 'work'), cmp('type', 'eq', 'home')), pr('value')))],
    ['addresses[type eq "work"].locality EQ "Paris" and active eq true',
      and(vp('addresses', and(cmp('type', 'eq', 'work'), cmp('locality', 'eq', 'Paris'))), raw(cmp('active', 'eq', true), 'true'))],
    // JSON strings and escapes
    ['displayName eq "Tom \\"Tommy\\" Jones"', cmp('displayName', 'eq', 'Tom "Tommy" Jones')],
    ['displayName eq "back\\\\slash"', cmp('displayName', 'eq', 'back\\slash')],
    ['displayName eq "\\u00e9t\\u00C9"', cmp('displayName', 'eq', 'étÉ')],
    ['displayName eq "\\ud83d\\ude00"', cmp('displayName', 'eq', '😀')],
    ['displayName eq "a\\/b\\n\\t\\r\\b\\f"', cmp('displayName', 'eq', 'a/b\n\t\r\b\f')],
    ['displayName eq ""', cmp('displayName', 'eq', '')],
    ['displayName eq "with ) and ] and ( inside"', cmp('displayName', 'eq', 'with ) and ] and ( inside')],
    ['displayName eq "Ærø"', cmp('displayName', 'eq', 'Ærø')],
    // numbers, booleans, null (literals are case-insensitive, RFC 5234 §2.3)
    ['x eq 42', raw(cmp('x', 'eq', 42), '42')],
    ['x gt -1.5e3', raw(cmp('x', 'gt', -1500), '-1.5e3')],
    ['x eq 0', raw(cmp('x', 'eq', 0), '0')],
    ['active eq true', raw(cmp('active', 'eq', true), 'true')],
    ['active eq False', raw(cmp('active', 'eq', false), 'False')],
    ['manager eq null', raw(cmp('manager', 'eq', null), 'null')],
    ['active eq TRUE', raw(cmp('active', 'eq', true), 'TRUE')],
    // unquoted values (Microsoft / Entra lenience): run to whitespace, ')' or ']'
    ['name.FamilyName eq Employee', raw(sub('name', 'FamilyName', 'eq', 'Employee'), 'Employee')],
    ['userName sw O', raw(cmp('userName', 'sw', 'O'), 'O')],
    ['emails.Value co example.com', raw(sub('emails', 'Value', 'co', 'example.com'), 'example.com')],
    ['meta.Created gt 2015-10-10T14:38:21.8617979-07:00',
      raw(sub('meta', 'Created', 'gt', '2015-10-10T14:38:21.8617979-07:00'), '2015-10-10T14:38:21.8617979-07:00')],
    ['externalId eq jyoung', raw(cmp('externalId', 'eq', 'jyoung'), 'jyoung')],
    ['externalId eq 00123', raw(cmp('externalId', 'eq', '00123'), '00123')],
    ['(userName sw O)', raw(cmp('userName', 'sw', 'O'), 'O')],
    ['emails[value eq a@b.c]', vp('emails', raw(cmp('value', 'eq', 'a@b.c'), 'a@b.c'))],
    ['x eq 1e999', raw(cmp('x', 'eq', '1e999'), '1e999')],
    // full-URN attribute names: the URN is everything up to the last ':'
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
      cmp('userName', 'sw', 'J', { schema: 'urn:ietf:params:scim:schemas:core:2.0:User' })],
    [`${ENT}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`,
      { kind: 'compare', path: { schema: ENT, attr: 'manager', sub: 'value' }, op: 'eq', value: '26118915-6090-4610-87e4-49d8ca9f808d' }],
    ['urn:ietf:params:scim:schemas:extension:tableau:3.0:User:siteRoles.value eq "Creator"',
      { kind: 'compare', path: { schema: 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User', attr: 'siteRoles', sub: 'value' }, op: 'eq', value: 'Creator' }],
    [`${ENT}:department pr`, { kind: 'present', path: { schema: ENT, attr: 'department' } }],
    // legacy `…:User.attr` spelling
    [`${ENT}.department eq "x"`, cmp('department', 'eq', 'x', { schema: ENT })],
    [`${ENT}.manager.value eq "x"`, { kind: 'compare', path: { schema: ENT, attr: 'manager', sub: 'value' }, op: 'eq', value: 'x' }],
    ['members.$ref pr', pr('members', '$ref')],
  ])('%s', (text, expected) => {
    expect(parseFilter(text)).toEqual(expected);
  });

  it('parses a long but legal filter and keeps and/or chains flat', () => {
    const text = Array.from({ length: 150 }, (_, i) => `userName eq "u${i}"`).join(' or ');
    expect(text.length).toBeLessThan(4096);
    const node = parseFilter(text);
    expect(node.kind === 'or' && node.items.length).toBe(150);
  });

  it('accepts nesting up to maxDepth', () => {
    expect(parseFilter(`${'('.repeat(32)}a pr${')'.repeat(32)}`)).toEqual(pr('a'));
    expect(parseFilter(`${'not ('.repeat(10)}a pr${')'.repeat(10)}`, { maxDepth: 10 }).kind).toBe('not');
  });

  it('stays linear on large input when limits are raised', () => {
    const text = Array.from({ length: 40_000 }, (_, i) => `(a eq "${i}" and not (b pr))`).join(' or ');
    const t0 = performance.now();
    const node = parseFilter(text, { maxLength: text.length });
    expect(node.kind === 'or' && node.items.length).toBe(40_000);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('parseFilter: errors', () => {
  const cases: [string, RegExp][] = [
    ['', /Empty filter/],
    ['   ', /Empty filter/],
    ['userName eq', /Missing value after operator 'eq' at position 11/],
    ['userName eq   ', /Missing value after operator 'eq'/],
    ['userName eq )', /Missing value/],
    ['userName eq (', /Missing value/],
    ['(userName eq)', /Missing value/],
    ['userName', /Expected an operator after 'userName'/],
    ['userName "x"', /Expected an operator after 'userName'; found '"'/],
    ['foo bar "x"', /Unknown operator 'bar' at position 4/],
    ['userName equals "x"', /Unknown operator 'equals'/],
    ['userName eq "x" userName eq "y"', /Expected 'and', 'or' or end of filter, found 'userName' at position 16/],
    ['(a eq "1"', /Missing '\)' to close '\(' at position 0; found end of filter/],
    ['((a eq "1")', /Missing '\)'/],
    ['a eq "1")', /found '\)'/],
    ['()', /Expected an attribute/],
    ['emails[type eq "work"', /Missing '\]' to close '\[' at position 6/],
    ['emails[type eq "work"]]', /found '\]'/],
    ['emails[]', /Expected an attribute/],
    ['emails[type eq "work" and x[value pr]]', /Value filters cannot be nested/],
    ['emails[name.x eq "1"]', /Invalid sub-attribute name 'name.x'/],
    ['emails[type eq "work"].value', /Expected an operator after 'value'/],
    ['emails[type eq "work"].', /Invalid sub-attribute name ''/],
    ['emails.value[type eq "work"]', /value filter applies to an attribute/],
    ['userName eq "abc', /Unterminated string starting at position 12/],
    ['userName eq abc"', /Unexpected '"' inside an unquoted value/],
    ['userName eq "a\\x"', /Invalid escape '\\x'/],
    ['userName eq "a\\', /Unterminated string/],
    ['userName eq "\\u12"', /Invalid \\u escape/],
    ['userName eq "\\ud800"', /Lone surrogate/],
    ['userName eq "\\udc00x"', /Lone surrogate/],
    ['userName eq "\\u0000"', /NUL character/],
    ['not userName eq "x"', /Expected '\(' after 'not'/],
    ['not', /Expected '\(' after 'not'/],
    ['a eq "1" and', /Expected an expression, found end of filter/],
    ['a eq "1" or or b pr', /Unknown operator 'b'|Expected/],
    ['and a eq "1"', /Unknown operator 'a'/],
    ['a eq "1" and "x"', /Expected an attribute/],
    ['a.b.c eq "1"', /Invalid attribute path 'a.b.c'/],
    ['1abc eq "1"', /Invalid attribute name '1abc'/],
    ['user-name eq "1" and _x pr', /Invalid attribute name '_x'/],
    ['urn:ietf:params:scim:schemas:core:2.0:User: eq "1"', /Missing attribute name after schema URN/],
    ['userName eq "x" and', /Expected an expression/],
    ['userName eq "x"]', /found '\]'/],
    [`${'('.repeat(200)}a pr${')'.repeat(200)}`, /nesting is deeper than 32 levels at position 32/],
    [`${'not ('.repeat(33)}a pr${')'.repeat(33)}`, /nesting is deeper than 32/],
    [`userName eq "${'x'.repeat(10_000)}"`, /longer than 4096 characters/],
    [`${'('.repeat(5000)}`, /longer than 4096/],
  ];

  it.each(cases)('%s', (text, message) => {
    let error: unknown;
    try {
      parseFilter(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FilterError);
    expect((error as FilterError).scimType).toBe('invalidFilter');
    expect((error as FilterError).status).toBe(400);
    expect((error as Error).message).toMatch(message);
  });

  it('reports the position of the error', () => {
    expect(() => parseFilter('userName eq "x" and title xx "y"')).toThrow(expect.objectContaining({ position: 26 }));
  });

  it('caps maxDepth so recursion can never exhaust the stack', () => {
    const deep = `${'('.repeat(300)}a pr${')'.repeat(300)}`;
    expect(() => parseFilter(deep, { maxDepth: 1_000_000, maxLength: 1_000_000 })).toThrow(/deeper than 256/);
  });

  it('honours custom limits', () => {
    expect(() => parseFilter('userName eq "abcdef"', { maxLength: 10 })).toThrow(/longer than 10 characters/);
    expect(() => parseFilter('((a pr))', { maxDepth: 1 })).toThrow(/deeper than 1 level/);
    expect(() => parseFilter('emails[value pr]', { maxDepth: 0 })).toThrow(/deeper than 0/);
  });

  it('rejects hostile input quickly', () => {
    const hostile = [
      `${'('.repeat(200)}a pr${')'.repeat(200)}`,
      `${'('.repeat(4000)}`,
      `${'emails['.repeat(500)}`,
      `userName eq "${'\\"'.repeat(2000)}`,
      'x'.repeat(10_000),
      Array.from({ length: 2000 }, () => 'a pr').join(' and '),
      `a eq ${'9'.repeat(4000)}`,
    ];
    const t0 = performance.now();
    for (const text of hostile) {
      try {
        parseFilter(text);
      } catch (e) {
        expect(e).toBeInstanceOf(FilterError);
      }
    }
    expect(performance.now() - t0).toBeLessThan(200);
  });
});

describe('parsePath', () => {
  it.each<[string, ReturnType<typeof parsePath>]>([
    ['members', { attr: { attr: 'members' } }],
    ['name.givenName', { attr: { attr: 'name', sub: 'givenName' } }],
    ['members[value eq "2819c223"]', { attr: { attr: 'members' }, filter: cmp('value', 'eq', '2819c223') }],
    ['emails[type eq "work"].value', { attr: { attr: 'emails' }, filter: cmp('type', 'eq', 'work'), sub: 'value' }],
    ['addresses[type eq "work" and primary eq true].formatted',
      { attr: { attr: 'addresses' }, filter: and(cmp('type', 'eq', 'work'), raw(cmp('primary', 'eq', true), 'true')), sub: 'formatted' }],
    ['members[value eq "a" or value eq "b"]', { attr: { attr: 'members' }, filter: or(cmp('value', 'eq', 'a'), cmp('value', 'eq', 'b')) }],
    [`${ENT}:manager`, { attr: { schema: ENT, attr: 'manager' } }],
    [`${ENT}:manager.value`, { attr: { schema: ENT, attr: 'manager', sub: 'value' } }],
    [`${ENT}.employeeNumber`, { attr: { schema: ENT, attr: 'employeeNumber' } }],
    ['urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value',
      { attr: { schema: 'urn:ietf:params:scim:schemas:core:2.0:User', attr: 'emails' }, filter: cmp('type', 'eq', 'work'), sub: 'value' }],
    ['  Emails[Type EQ "work"].Value  ', { attr: { attr: 'Emails' }, filter: cmp('Type', 'eq', 'work'), sub: 'Value' }],
  ])('%s', (text, expected) => {
    expect(parsePath(text)).toEqual(expected);
  });

  it.each([
    ['', /Empty filter/],
    ['members[value eq "x"', /Missing '\]'/],
    ['members[value eq "x"] junk', /Expected 'and', 'or' or end of filter/],
    ['emails[type eq "work"].', /Invalid sub-attribute name/],
    ['emails[type eq "work"].value.x', /Invalid sub-attribute name 'value.x'/],
    ['a.b.c', /Invalid attribute path/],
    ['members eq "x"', /Expected 'and', 'or' or end of filter/],
    ['[value eq "x"]', /Expected an attribute path/],
    [`members[${'('.repeat(40)}value pr${')'.repeat(40)}]`, /deeper than 32/],
  ])('rejects %s', (text, message) => {
    expect(() => parsePath(text)).toThrow(FilterError);
    expect(() => parsePath(text)).toThrow(message);
  });
});
