import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { codeOf, describeReason, qualify, RC, REASONS, ruleReason } from '../../../src/policy/reasons.js';

describe('reason catalogue', () => {
  it('SPEC-5.9 RC constants spell their own codes and every code is explained', () => {
    for (const [code, text] of Object.entries(REASONS)) {
      expect(RC[code as keyof typeof RC]).toBe(code);
      expect(text.length).toBeGreaterThan(10);
    }
  });

  const table: [string, string | undefined][] = [
    ['LICENSE_EXHAUSTED', 'LICENSE_EXHAUSTED'],
    [ruleReason(2), 'ROLE_MAPPING_RULE_n'],
    [qualify('GROUP_FLOOR', 'g-1'), 'GROUP_FLOOR'],
    [qualify('SCIM_NOT_ENABLED', 'scimDisabled'), 'SCIM_NOT_ENABLED'],
    ['ROLE_MAPPING_RULE_x', undefined],
    ['NOT_A_CODE', undefined],
    ['toString', undefined],
  ];
  it.each(table)('SPEC-5.9 codeOf(%s) = %s', (reason, code) => {
    expect(codeOf(reason)).toBe(code);
    expect(describeReason(reason)).toBe(code === undefined ? undefined : REASONS[code as keyof typeof REASONS]);
  });

  it('SPEC-5.9 policy modules use the RC constants, never bare reason strings', () => {
    const dir = new URL('../../../src/policy/', import.meta.url);
    const codes = Object.keys(REASONS).filter((c) => c !== 'ROLE_MAPPING_RULE_n');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'reasons.ts')) {
      const src = readFileSync(new URL(file, dir), 'utf8');
      for (const code of codes) expect({ file, code, bare: src.includes(`'${code}'`) }).toEqual({ file, code, bare: false });
    }
  });
});
