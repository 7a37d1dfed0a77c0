import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { ConfigError, loadConfig, redactConfig, type Config } from './config/load.js';
import { buildContainer } from './container.js';

/**
 * Process entry: load config → build container → listen; drain and close on SIGTERM/SIGINT.
 * With `workers` > 1 the primary initialises the store once, then forks HTTP workers that
 * share the port (Node cluster); each worker is a full, stateless rolegate, and SQLite's
 * write lock (BEGIN IMMEDIATE) serialises their writes across processes.
 */
async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`rolegate: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  if (config.workers > 1 && cluster.isPrimary) return primary(config);
  return serve(config, cluster.isWorker);
}

function bootstrapLines(config: Config): string {
  return [
    `rolegate: initialised an empty store with tenant 'default' and site 'default'.`,
    config.bootstrap.scimToken
      ? '  SCIM: site default accepts the secret from ROLEGATE_BOOTSTRAP_SCIM_TOKEN as its bearer token.'
      : '  SCIM: no SCIM secret yet. Restart on an empty store with ROLEGATE_BOOTSTRAP_SCIM_TOKEN=<secret> (16+ chars) to create one.',
    config.bootstrap.adminToken
      ? '  Admin API: ROLEGATE_BOOTSTRAP_ADMIN_TOKEN is a tenant-admin bearer token.'
      : '  Admin API: set ROLEGATE_BOOTSTRAP_ADMIN_TOKEN=<secret> (16+ chars) on an empty store to create a tenant-admin token.',
  ].join('\n');
}

async function primary(config: Config) {
  // Initialise (migrate, bootstrap) once, before any worker races to do it.
  const init = await buildContainer(config);
  if (init.bootstrap.created) process.stdout.write(`${bootstrapLines(config)}\n`);
  await init.close();
  let listening = 0;
  let stopping = false;
  const fork = (id: number) => cluster.fork({ ROLEGATE_WORKER_ID: String(id) });
  for (let i = 1; i <= config.workers; i++) fork(i);
  cluster.on('listening', () => {
    if (++listening === config.workers) process.stdout.write(`rolegate listening on http://127.0.0.1:${config.port}/scim/v2 (${config.workers} workers)\n`);
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    process.stderr.write(`rolegate: worker ${worker.process.pid} exited (${signal ?? code}); starting another\n`);
    fork(worker.id);
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    setTimeout(() => process.exit(1), 12_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function serve(config: Config, isWorker: boolean) {
  const c = await buildContainer(config);
  c.logger.info({ config: redactConfig(config), worker: process.env.ROLEGATE_WORKER_ID ?? null }, 'starting rolegate');
  if (c.bootstrap.created) process.stdout.write(`${bootstrapLines(config)}\n`);
  const server: Server = c.createServer();
  server.listen(config.port, config.host, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    c.logger.info({ port }, 'listening');
    if (!isWorker) process.stdout.write(`rolegate listening on http://127.0.0.1:${port}/scim/v2\n`);
  });
  // Retention (SPEC §7): purge at start and every 6 hours when configured (one process does it).
  if (!isWorker || process.env.ROLEGATE_WORKER_ID === '1') {
    const retention = () => c.auditLog.purgeAll(config.audit.retentionDays)
      .then((n) => n && c.logger.info({ purged: n }, 'audit retention purge'))
      .catch((err) => c.logger.error({ err }, 'audit retention purge failed'));
    void retention();
    setInterval(retention, 6 * 3_600_000).unref();
  }
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
  // A worker whose primary died (SIGKILL) must not linger holding the port and the store.
  if (isWorker) process.on('disconnect', () => stop('primary gone'));
}

main().catch((e) => {
  process.stderr.write(`rolegate: failed to start: ${(e as Error).message}\n`);
  process.exit(1);
});
