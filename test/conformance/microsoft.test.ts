import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';
import { runCollection } from './run-newman.js';

const TOKEN = 'conformance-ms-secret-0123456789';
let server: ServerProcess;
beforeAll(async () => { server = await startServerProcess({ ROLEGATE_BOOTSTRAP_SCIM_TOKEN: TOKEN }); });
afterAll(async () => { await server.stop(); });

it('passes Microsoft\'s SCIM test collection on an empty site (107 assertions)', async () => {
  const outcome = await runCollection('microsoft-scim-tests.postman_collection.json', {
    Protocol: 'http', Server: '127.0.0.1', Port: `:${server.port}`, Api: 'scim/v2', token: TOKEN,
  });
  process.stdout.write(`Microsoft SCIM suite: ${outcome.requests} requests, ${outcome.total - outcome.failed}/${outcome.total} assertions passed\n`);
  expect(outcome.failures).toEqual([]);
  expect(outcome.total).toBe(107);
}, 120_000);
