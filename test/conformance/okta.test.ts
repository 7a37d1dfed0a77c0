import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';
import { runCollection } from './run-newman.js';

const TOKEN = 'conformance-okta-secret-0123456789';
let server: ServerProcess;
beforeAll(async () => {
  server = await startServerProcess({ ROLEGATE_BOOTSTRAP_SCIM_TOKEN: TOKEN });
  // The Okta SPEC test needs one complete user before it runs (INTEROP.md §C2).
  const r = await fetch(`${server.url}/scim/v2/Users`, {
    method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'seed.user@example.test', active: true,
      name: { givenName: 'Seed', familyName: 'User' }, emails: [{ value: 'seed.user@example.test', type: 'work', primary: true }],
    }),
  });
  if (r.status !== 201) throw new Error(`seeding failed: ${r.status} ${await r.text()}`);
});
afterAll(async () => { await server.stop(); });

it('passes Okta\'s SCIM 2.0 SPEC test (53 assertions)', async () => {
  const outcome = await runCollection('okta-scim20-spec.postman_collection.json', {
    SCIMBaseURL: `${server.url}/scim/v2`, auth: `Bearer ${TOKEN}`,
  });
  process.stdout.write(`Okta SPEC suite: ${outcome.requests} requests, ${outcome.total - outcome.failed}/${outcome.total} assertions passed\n`);
  expect(outcome.failures).toEqual([]);
  expect(outcome.total).toBe(53);
}, 120_000);
