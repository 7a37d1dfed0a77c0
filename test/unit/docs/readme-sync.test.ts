import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CATALOG } from '../../../src/domain/errors.js';
import { REASONS } from '../../../src/policy/reasons.js';

const readme = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');

describe('README stays true to the catalogs', () => {
  it.each(Object.entries(REASONS))('documents reason %s', (code, text) => {
    expect(readme).toContain(`| \`${code}\` | ${text.replace(/\|/g, '\\|')} |`);
  });
  it.each(Object.entries(ERROR_CATALOG).map(([code, v]) => [code, v.status, (v as { scimType?: string }).scimType ?? '']))(
    'documents error %s as HTTP %s %s', (code, status, scimType) => {
      expect(readme).toContain(`| \`${code}\` | ${status} | ${scimType} |`);
    });
});
