import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, loadConfig, redactConfig } from '../../../src/config/load.js';

const NO_FILES = { ROLEGATE_CONFIG_DIR: '/nonexistent' };

describe('loadConfig', () => {
  it('applies schema defaults and SPEC §2 environment variables', () => {
    const c = loadConfig({ ...NO_FILES, PORT: '9090', ROLEGATE_DB: 'sqlite::memory:', ROLEGATE_BOOTSTRAP_SCIM_TOKEN: 's'.repeat(20) });
    expect(c).toMatchObject({ port: 9090, db: 'sqlite::memory:', bootstrap: { scimToken: 's'.repeat(20), adminToken: null } });
    expect(c.scim.maxPageSize).toBeGreaterThan(0);
    expect(Object.isFrozen(c.scim)).toBe(true);
    expect(loadConfig({ ...NO_FILES, MONGODB_URI: 'mongodb://db:27017/rolegate' }).db).toBe('mongodb://db:27017/rolegate');
  });

  it('reports every problem at once', () => {
    let err: unknown;
    try {
      loadConfig({ ...NO_FILES, PORT: 'eighty', ROLEGATE_DB: 'postgres://x', ROLEGATE_BOOTSTRAP_ADMIN_TOKEN: 'short' }, { nonsense: true });
    } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT/);
    expect(problems).toMatch(/db/);
    expect(problems).toMatch(/bootstrap\.adminToken/);
    expect(problems).toMatch(/nonsense/);
  });

  it('redacts secrets for logging', () => {
    const c = loadConfig({ ...NO_FILES, ROLEGATE_BOOTSTRAP_SCIM_TOKEN: 'supersecret-supersecret', ROLEGATE_DB: 'mongodb://u:pw@h/db' });
    expect(JSON.stringify(redactConfig(c))).not.toMatch(/supersecret|pw@/);
  });

  it('the server process prints every error and exits non-zero on a bad configuration', () => {
    const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', '..', 'dist', 'src', 'main.js')], {
      env: { ...process.env, ...NO_FILES, PORT: 'x', ROLEGATE_DB: 'nope' }, encoding: 'utf8', timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/PORT/);
    expect(r.stderr).toMatch(/db/);
  });
});
