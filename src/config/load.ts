import { Ajv } from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import schema from '../../schemas/config.schema.json' with { type: 'json' };

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly workers: number;
  readonly db: string;
  readonly publicBaseUrl: string | null;
  readonly bootstrap: { readonly scimToken: string | null; readonly adminToken: string | null };
  readonly scim: {
    readonly defaultPageSize: number;
    readonly maxPageSize: number;
    readonly maxFilterLength: number;
    readonly maxFilterDepth: number;
    readonly maxBodyBytes: number;
    readonly bulkMaxOperations: number;
  };
  readonly limits: { readonly ratePerSecond: number; readonly burst: number; readonly maxConcurrent: number; readonly maxLagMs: number };
  readonly oauth: { readonly accessTokenSeconds: number };
  readonly audit: { readonly retentionDays: number | null };
  readonly log: { readonly level: string };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function merge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? merge(out[k] as Json, v) : v;
  return out;
}

function readJson(path: string, problems: string[]): Json {
  if (!existsSync(path)) return {};
  try {
    const v = JSON.parse(readFileSync(path, 'utf8'));
    if (isObject(v)) return v;
    problems.push(`${path}: must hold a JSON object`);
  } catch (e) {
    problems.push(`${path}: ${(e as Error).message}`);
  }
  return {};
}

/** Environment variables (SPEC §2); the only place in rolegate that reads process.env. */
function fromEnv(env: NodeJS.ProcessEnv, problems: string[]): Json {
  const out: Json = {};
  if (env.PORT !== undefined) {
    const n = Number(env.PORT);
    if (env.PORT.trim() === '' || !Number.isInteger(n)) problems.push(`PORT: '${env.PORT}' is not an integer`);
    else out.port = n;
  }
  if (env.HOST) out.host = env.HOST;
  if (env.ROLEGATE_WORKERS) {
    const n = env.ROLEGATE_WORKERS === 'auto' ? availableParallelism() : Number(env.ROLEGATE_WORKERS);
    if (!Number.isInteger(n)) problems.push(`ROLEGATE_WORKERS: '${env.ROLEGATE_WORKERS}' is not an integer or 'auto'`);
    else out.workers = n;
  }
  const db = env.ROLEGATE_DB || env.MONGODB_URI;
  if (db) out.db = db;
  if (env.ROLEGATE_PUBLIC_URL) out.publicBaseUrl = env.ROLEGATE_PUBLIC_URL;
  const bootstrap: Json = {};
  if (env.ROLEGATE_BOOTSTRAP_SCIM_TOKEN) bootstrap.scimToken = env.ROLEGATE_BOOTSTRAP_SCIM_TOKEN;
  if (env.ROLEGATE_BOOTSTRAP_ADMIN_TOKEN) bootstrap.adminToken = env.ROLEGATE_BOOTSTRAP_ADMIN_TOKEN;
  if (Object.keys(bootstrap).length) out.bootstrap = bootstrap;
  if (env.ROLEGATE_LOG_LEVEL) out.log = { level: env.ROLEGATE_LOG_LEVEL };
  if (env.ROLEGATE_AUDIT_RETENTION_DAYS) {
    const n = Number(env.ROLEGATE_AUDIT_RETENTION_DAYS);
    if (!Number.isInteger(n)) problems.push(`ROLEGATE_AUDIT_RETENTION_DAYS: '${env.ROLEGATE_AUDIT_RETENTION_DAYS}' is not an integer`);
    else out.audit = { retentionDays: n };
  }
  return out;
}

const deepFreeze = <T>(v: T): T => {
  if (isObject(v)) for (const x of Object.values(v)) deepFreeze(x);
  return Object.freeze(v);
};

/**
 * `config/default.json` < `config/$NODE_ENV.json` < environment, validated against
 * `schemas/config.schema.json` (ajv, allErrors, defaults applied).
 * @throws ConfigError listing every problem.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Json = {}): Config {
  const problems: string[] = [];
  const dir = env.ROLEGATE_CONFIG_DIR ?? join(process.cwd(), 'config');
  let merged = readJson(join(dir, 'default.json'), problems);
  if (env.NODE_ENV) merged = merge(merged, readJson(join(dir, `${env.NODE_ENV}.json`), problems));
  merged = merge(merge(merged, fromEnv(env, problems)), overrides);
  const ajv = new Ajv({ allErrors: true, useDefaults: true });
  const validate = ajv.compile(schema);
  if (!validate(merged)) {
    for (const e of validate.errors ?? []) {
      const where = e.instancePath ? e.instancePath.slice(1).replaceAll('/', '.') : '(root)';
      const extra = e.keyword === 'additionalProperties' ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : '';
      problems.push(`${where}: ${e.message}${extra}`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return deepFreeze(merged) as unknown as Config;
}

/** Redacted view for logs: bootstrap secrets never appear. */
export const redactConfig = (c: Config) => ({
  ...c,
  db: c.db.replace(/\/\/([^@/]*)@/, '//***@'),
  bootstrap: { scimToken: c.bootstrap.scimToken ? '***' : null, adminToken: c.bootstrap.adminToken ? '***' : null },
});
