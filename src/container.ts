import { SqliteStore } from './adapters/sqlite/store.js';
import { createApp } from './app.js';
import type { Config } from './config/load.js';
import { createLogger, type Logger } from './http/logger.js';
import { Discovery } from './http/scim/discovery.js';
import { ScimResources } from './http/scim/resources.js';
import { declareScimSchemas } from './http/scim/schemas.js';
import type { Store } from './ports/storage.js';
import { bootstrapStore, type BootstrapResult } from './services/bootstrap.js';
import { AdminAuthService } from './services/admin-auth.js';
import { AuditLogService } from './services/audit-log.js';
import { AuditQueryService } from './services/audit-query.js';
import { ReportsService } from './services/reports.js';
import { CredentialService } from './services/credentials.js';
import { DeprovisionService } from './services/deprovision.js';
import { SiteAdminService } from './services/site-admin.js';
import { GroupService } from './services/groups.js';
import { QueryService } from './services/queries.js';
import { UserService } from './services/users.js';

export interface Container {
  config: Config;
  store: Store;
  logger: Logger;
  app: ReturnType<typeof createApp>;
  bootstrap: BootstrapResult;
  credentials: CredentialService;
  adminAuth: AdminAuthService;
  auditLog: AuditLogService;
  close(): Promise<void>;
}

/** Picks the storage adapter from the configured database URL. The only importer of adapters/. */
function openStore(db: string): Store {
  if (db.startsWith('sqlite:')) {
    const location = db.slice('sqlite:'.length);
    return new SqliteStore(location === ':memory:' ? ':memory:' : location);
  }
  throw new Error(`MongoDB is not available in this build of rolegate (db = ${db.replace(/\/\/[^@/]*@/, '//***@')}); use sqlite:<path>`);
}

/** Composition root: config → store → services → HTTP app. */
export async function buildContainer(config: Config, opts: { logger?: Logger; now?: () => number } = {}): Promise<Container> {
  const logger = opts.logger ?? createLogger(config.log.level);
  const now = opts.now ?? Date.now;
  declareScimSchemas({ maxPageSize: config.scim.maxPageSize, maxBodyBytes: config.scim.maxBodyBytes, bulkMaxOperations: config.scim.bulkMaxOperations });
  const store = openStore(config.db);
  const bootstrap = await bootstrapStore(store, { ...config.bootstrap, now: now() });
  const credentials = new CredentialService(store);
  const adminAuth = new AdminAuthService(store);
  await adminAuth.init(now());
  const limits = config.scim;
  const users = new UserService(store);
  const groups = new GroupService(store);
  const deprovision = new DeprovisionService(store);
  const sites = new SiteAdminService(store, credentials);
  const resources = new ScimResources({ users, groups, deprovision, queries: new QueryService(store), limits });
  const auditLog = new AuditLogService(store);
  let open = true;
  const app = createApp({
    logger, now, ready: () => open, auditLog,
    scim: {
      resources, discovery: new Discovery(limits), credentials, maxBodyBytes: limits.maxBodyBytes,
      bulkMaxOperations: limits.bulkMaxOperations, publicBaseUrl: config.publicBaseUrl,
      checkScimGate: (ctx) => sites.checkScimGate(ctx.scope),
    },
    admin: {
      auth: adminAuth, sites, users, groups, deprovision, audit: new AuditQueryService(store), auditLog, reports: new ReportsService(store),
      maxBodyBytes: limits.maxBodyBytes,
      siteOf: (tenantId, siteId) => store.directory.findSiteById(tenantId, siteId),
      listSites: (tenantId) => store.directory.findSites(tenantId),
    },
  });
  return {
    config, store, logger, app, bootstrap, credentials, adminAuth, auditLog,
    async close() {
      open = false;
      await auditLog.flush();
      await store.close();
    },
  };
}
