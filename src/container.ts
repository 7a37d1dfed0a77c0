import { createServer as createHttpServer, type Server } from 'node:http';
import { SqliteStore } from './adapters/sqlite/store.js';
import { createApp } from './app.js';
import type { Config } from './config/load.js';
import { createLogger, type Logger } from './http/logger.js';
import { Discovery } from './http/scim/discovery.js';
import { ScimResources } from './http/scim/resources.js';
import { declareScimSchemas } from './http/scim/schemas.js';
import { scimRouter } from './http/scim/router.js';
import type { Store } from './ports/storage.js';
import { bootstrapStore, type BootstrapResult } from './services/bootstrap.js';
import { Metrics } from './http/metrics.js';
import { ConcurrencyLimiter, OverLimitMemo, RateLimiter } from './http/rate-limit.js';
import { shedding } from './http/shed.js';
import { AdminAuthService } from './services/admin-auth.js';
import { OAuthService } from './services/oauth.js';
import { SigningKeys } from './services/signing-keys.js';
import { AuditLogService } from './services/audit-log.js';
import { AuditQueryService } from './services/audit-query.js';
import { ReportsService } from './services/reports.js';
import { CredentialService } from './services/credentials.js';
import { DeprovisionService } from './services/deprovision.js';
import { SiteAdminService } from './services/site-admin.js';
import { GroupService } from './services/groups.js';
import { QueryService } from './services/queries.js';
import { UserService } from './services/users.js';
import { PortalService } from './services/portal.js';
import { PortalTokenService } from './services/portal-tokens.js';
import { ImportService } from './services/import-csv.js';
import { TenantLicenseService } from './services/tenant-licenses.js';
import { TenantUserService } from './services/tenant-users.js';

export interface Container {
  config: Config;
  store: Store;
  logger: Logger;
  app: ReturnType<typeof createApp>;
  /** The SCIM router's routes (it serves /scim/v2 before Express; tests walk every route). */
  scimRoutes: { path: string; methods: string[] }[];
  /**
   * The HTTP server, not yet listening: the load-shedding front door (`http/shed.ts`) in front of
   * the SCIM router and the Express app. The one way to serve rolegate (main.ts and the test helpers use it).
   */
  createServer(): Server;
  bootstrap: BootstrapResult;
  credentials: CredentialService;
  adminAuth: AdminAuthService;
  auditLog: AuditLogService;
  close(): Promise<void>;
}

/** Picks the storage adapter from the configured database URL. The only importer of adapters/. */
async function openStore(db: string, logger: Logger, workers: number): Promise<Store> {
  if (db.startsWith('sqlite:')) {
    const location = db.slice('sqlite:'.length);
    return new SqliteStore(location === ':memory:' ? ':memory:' : location, {
      onCheckpointError: (message) => logger.error({ err: message }, 'WAL checkpoint failed'), sharedFile: workers > 1,
    });
  }
  // mongodb:// or mongodb+srv:// (the config schema admits nothing else): connects, checks for a
  // replica set, creates indexes; throws a message naming the host, never the password. Loaded
  // on demand so that the embedded store never pays for loading the MongoDB driver.
  if (/^mongodb(\+srv)?:\/\//.test(db)) return (await import('./adapters/mongo/store.js')).MongoStore.connect(db);
  throw new Error(`unsupported database URL (db must be sqlite:<path> or a mongodb:// URI)`);
}

/** Composition root: config → store → services → HTTP app. */
export async function buildContainer(config: Config, opts: { logger?: Logger; now?: () => number } = {}): Promise<Container> {
  const logger = opts.logger ?? createLogger(config.log.level);
  const now = opts.now ?? Date.now;
  declareScimSchemas({ maxPageSize: config.scim.maxPageSize, maxBodyBytes: config.scim.maxBodyBytes, bulkMaxOperations: config.scim.bulkMaxOperations });
  const store = await openStore(config.db, logger, config.workers);
  const bootstrap = await bootstrapStore(store, { ...config.bootstrap, now: now() });
  const credentials = new CredentialService(store, now);
  const keys = new SigningKeys(store);
  await keys.init(now());
  const adminAuth = new AdminAuthService(store, keys);
  const oauth = new OAuthService(store, keys, credentials, config.oauth.accessTokenSeconds, now);
  const limiter = new RateLimiter(config.limits.ratePerSecond, config.limits.burst, now);
  const concurrency = new ConcurrencyLimiter(config.limits.maxConcurrent);
  const overLimit = new OverLimitMemo(now);
  const limits = config.scim;
  const users = new UserService(store);
  const groups = new GroupService(store);
  const deprovision = new DeprovisionService(store);
  const sites = new SiteAdminService(store, credentials);
  const resources = new ScimResources({ users, groups, deprovision, queries: new QueryService(store), limits, batch: (fn) => store.batch(fn) });
  const auditLog = new AuditLogService(store);
  const portalTokens = new PortalTokenService(keys);
  const maxCsvBytes = 64 * 1024 * 1024;
  const imports = new ImportService(store, { maxBytes: maxCsvBytes, onError: (err, msg) => logger.error({ err }, msg) });
  let open = true;
  const reports = new ReportsService(store);
  const metrics = new Metrics({
    auditLag: () => auditLog.pending, inFlight: () => concurrency.inFlight,
    seats: async () => {
      const out = [];
      for (const tenantId of await store.directory.findTenantIds()) {
        for (const site of await reports.licenseUsage(await store.directory.findSites(tenantId))) {
          for (const tier of ['creator', 'explorer', 'viewer'] as const) out.push({ siteId: site.siteId, tier, used: site.used[tier], capacity: site.capacity[tier] });
        }
      }
      return out;
    },
  });
  const app = createApp({
    logger, now, ready: async () => open && (await store.healthy()), auditLog, metrics, oauth,
    tokenLimiter: new RateLimiter(20, 40, now),
    admin: {
      auth: adminAuth, sites, users, groups, deprovision, audit: new AuditQueryService(store), auditLog, reports,
      credentials, oauth, limiter, maxBodyBytes: limits.maxBodyBytes,
      siteOf: (tenantId, siteId) => store.directory.findSiteById(tenantId, siteId),
      listSites: (tenantId) => store.directory.findSites(tenantId),
    },
    portal: { portal: new PortalService(store, portalTokens), tokens: portalTokens, adminAuth, maxBodyBytes: limits.maxBodyBytes },
    tableau: { imports, tenantUsers: new TenantUserService(store, now), tenantLicenses: new TenantLicenseService(store, now), maxCsvBytes },
  });
  const scim = scimRouter({
    resources, discovery: new Discovery(limits), credentials, maxBodyBytes: limits.maxBodyBytes,
    bulkMaxOperations: limits.bulkMaxOperations, publicBaseUrl: config.publicBaseUrl,
    checkScimGate: (ctx) => sites.checkScimGate(ctx.scope),
    verifyAccessToken: (token) => oauth.verifyAccessToken(token), limiter, overLimit, logger, auditLog, metrics, now,
  });
  // SCIM paths go to the SCIM router, everything else to Express.
  const dispatch = scim.before(app);
  const createServer = () => {
    const front = shedding(dispatch, { concurrency, overLimit, maxLagMs: config.limits.maxLagMs, metrics, logger });
    const server = createHttpServer(front.listener);
    server.on('close', () => front.stop());
    return server;
  };
  return {
    config, store, logger, app, scimRoutes: scim.routes, createServer, bootstrap, credentials, adminAuth, auditLog,
    async close() {
      open = false;
      await imports.close();
      await auditLog.flush();
      await store.close();
    },
  };
}
