/**
 * The layer rules of ARCHITECTURE.md, checked in `npm test`:
 *   http → services → {policy, ports, domain};  policy → domain;  adapters → {ports, domain, scim-filter}
 * container.ts / main.ts are the composition root: the only modules that may import adapters/.
 */
module.exports = {
  forbidden: [
    { name: 'adapters-only-from-root', severity: 'error', comment: 'Only the composition root picks adapters.',
      from: { path: '^src/', pathNot: '^src/(container|main)\\.ts$|^src/adapters/' }, to: { path: '^src/adapters/' } },
    { name: 'no-db-drivers-outside-adapters', severity: 'error', comment: 'Routes, services and policies never import a database driver.',
      from: { path: '^src/', pathNot: '^src/adapters/' }, to: { path: 'node_modules/(better-sqlite3|mongoose|mongodb)/' } },
    { name: 'http-not-to-ports', severity: 'error', comment: 'HTTP goes through services; it never touches repositories.',
      from: { path: '^src/http/' }, to: { path: '^src/ports/' } },
    { name: 'services-not-to-http', severity: 'error', from: { path: '^src/services/' }, to: { path: '^src/(http|adapters)/' } },
    { name: 'policy-is-pure', severity: 'error', comment: 'policy/ depends on domain/ only.',
      from: { path: '^src/policy/' }, to: { path: '^src/', pathNot: '^src/(policy|domain)/' } },
    { name: 'domain-imports-nothing', severity: 'error', from: { path: '^src/domain/' }, to: { path: '^src/', pathNot: '^src/domain/' } },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
