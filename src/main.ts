import type { Server } from 'node:http';
import { ConfigError, loadConfig, redactConfig } from './config/load.js';
import { buildContainer } from './container.js';

/** Process entry: load config → build container → listen; drain and close on SIGTERM/SIGINT. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`rolegate: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const c = await buildContainer(config);
  c.logger.info({ config: redactConfig(config) }, 'starting rolegate');
  if (c.bootstrap.created) {
    const lines = [
      `rolegate: initialised an empty store with tenant 'default' and site 'default'.`,
      config.bootstrap.scimToken
        ? '  SCIM: site default accepts the secret from ROLEGATE_BOOTSTRAP_SCIM_TOKEN as its bearer token.'
        : '  SCIM: no SCIM secret yet. Restart on an empty store with ROLEGATE_BOOTSTRAP_SCIM_TOKEN=<secret> (16+ chars) to create one.',
      config.bootstrap.adminToken
        ? '  Admin API: ROLEGATE_BOOTSTRAP_ADMIN_TOKEN is a tenant-admin bearer token.'
        : '  Admin API: set ROLEGATE_BOOTSTRAP_ADMIN_TOKEN=<secret> (16+ chars) on an empty store to create a tenant-admin token.',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  const server: Server = c.app.listen(config.port, config.host, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    c.logger.info({ port }, 'listening');
    process.stdout.write(`rolegate listening on http://127.0.0.1:${port}/scim/v2\n`);
  });
  // Retention (SPEC §7): purge at start and every 6 hours when configured.
  const retention = () => c.auditLog.purgeAll(config.audit.retentionDays)
    .then((n) => n && c.logger.info({ purged: n }, 'audit retention purge'))
    .catch((err) => c.logger.error({ err }, 'audit retention purge failed'));
  void retention();
  const retentionTimer = setInterval(retention, 6 * 3_600_000);
  retentionTimer.unref();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    c.logger.info({ signal }, 'draining');
    server.close(() => {
      void c.close().then(() => process.exit(0));
    });
    server.closeIdleConnections();
    // Keep-alive connections busy now go idle when their response is sent: close them then,
    // instead of waiting for the keep-alive timeout (which held the drain up ~5 s per client).
    setInterval(() => server.closeIdleConnections(), 25).unref();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e) => {
  process.stderr.write(`rolegate: failed to start: ${(e as Error).message}\n`);
  process.exit(1);
});
