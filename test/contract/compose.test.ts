/**
 * docker/compose.yaml: validated by `docker-compose config` (Debian's docker-compose; no engine
 * needed) when it is on PATH; otherwise parsed as YAML and checked structurally. Either way the
 * services, the replica-set init and the MONGODB_URI wiring are asserted.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docker', 'compose.yaml');
const hasCompose = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;

type Compose = { services: Record<string, Record<string, any>>; volumes?: Record<string, unknown> };

/** The file as docker-compose resolves it, or as plain YAML when docker-compose is missing. */
function load(): Compose {
  if (!hasCompose) {
    console.warn('docker-compose is not on PATH: compose.yaml is checked as YAML only (apt-get install docker-compose for the full validation)');
    return yaml.load(readFileSync(file, 'utf8')) as Compose;
  }
  const out = execFileSync('docker-compose', ['-f', file, 'config'], { encoding: 'utf8', env: { ...process.env, ROLEGATE_BOOTSTRAP_SCIM_TOKEN: '' } });
  return yaml.load(out) as Compose;
}

describe(`docker/compose.yaml (${hasCompose ? 'docker-compose config' : 'YAML parse'})`, () => {
  const compose = load();

  it('runs rolegate, MongoDB and a load balancer', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['lb', 'mongo', 'rolegate']);
    expect(Object.keys(compose.volumes ?? {})).toContain('mongo-data');
  });

  it('starts MongoDB as a single-node replica set and initiates it in its healthcheck', () => {
    const mongo = compose.services.mongo!;
    expect(mongo.command).toEqual(expect.arrayContaining(['--replSet', 'rs0']));
    expect(JSON.stringify(mongo.healthcheck.test)).toMatch(/rs\.initiate\(\{ _id: 'rs0'/);
  });

  it('configures rolegate through MONGODB_URI and starts it once the replica set is healthy', () => {
    const rolegate = compose.services.rolegate!;
    expect(rolegate.environment.MONGODB_URI).toBe('mongodb://mongo:27017/rolegate?replicaSet=rs0');
    expect(rolegate.depends_on.mongo.condition).toBe('service_healthy');
    expect(rolegate.build.dockerfile).toBe('docker/Dockerfile');
    // Stateless replicas behind the balancer: no fixed host port on rolegate itself.
    expect(rolegate.ports).toBeUndefined();
    expect(JSON.stringify(compose.services.lb!.ports)).toMatch(/8080/);
  });

  it('the Dockerfile is multi-stage, production-only at runtime, and non-root', () => {
    const dockerfile = readFileSync(join(dirname(file), 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM /gm)?.length).toBe(2);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/CMD \["node", "dist\/src\/main\.js"\]/);
  });
});
