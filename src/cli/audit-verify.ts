import { ConfigError, loadConfig } from '../config/load.js';
import { buildContainer } from '../container.js';

/**
 * `npm run audit:verify`: recomputes every tenant's audit hash chain on the configured store
 * and names the first broken entry. Exit status 0 when every chain verifies, 1 otherwise.
 */
async function main() {
  const config = loadConfig(process.env, { log: { level: 'silent' } });
  const c = await buildContainer(config);
  let broken = 0;
  for (const tenantId of await c.store.directory.findTenantIds()) {
    const r = await c.auditLog.verify(tenantId);
    if (r.ok) process.stdout.write(`tenant ${tenantId}: ok, ${r.checked} entries checked\n`);
    else {
      broken++;
      process.stdout.write(`tenant ${tenantId}: BROKEN at entry ${r.firstBrokenId} (seq ${r.firstBrokenSeq}), ${r.checked} entries checked\n`);
    }
  }
  await c.close();
  process.exit(broken ? 1 : 0);
}

main().catch((e) => {
  process.stderr.write(`audit verify: ${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
  process.exit(2);
});
