import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config/load.js';
import { buildContainer, type Container } from '../../src/container.js';

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export interface TestServer {
  url: string;
  scim: string;
  token: string;
  container: Container;
  /** A SCIM request with the bootstrap token (or `headers.authorization` to override). */
  req(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** An admin API request with the bootstrap tenant-admin token (or `headers.authorization`). */
  admin(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** A new site of the same tenant with a SAML config and SCIM enabled: returns its id and SCIM secret. */
  addSite(contentUrl: string): Promise<{ siteId: string; secret: string }>;
  close(): Promise<void>;
}

export const SCIM_TOKEN = 'test-scim-secret-0123456789';
export const ADMIN_TOKEN = 'test-admin-secret-0123456789';

/** Starts rolegate on a loopback port with a fresh in-memory SQLite store. */
export async function startTestServer(overrides: Record<string, unknown> = {}, opts: { now?: () => number } = {}): Promise<TestServer> {
  const config = loadConfig({ ROLEGATE_BOOTSTRAP_SCIM_TOKEN: SCIM_TOKEN, ROLEGATE_BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN, ROLEGATE_CONFIG_DIR: '/nonexistent' },
    { db: 'sqlite::memory:', port: 0, host: '127.0.0.1', log: { level: 'silent' }, ...overrides });
  const container = await buildContainer(config, { now: opts.now });
  const server: Server = await new Promise((resolve) => {
    const s = container.createServer().listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const scim = `${url}/scim/v2`;
  const req = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const h: Record<string, string> = { authorization: `Bearer ${SCIM_TOKEN}`, ...headers };
    if (body !== undefined && !h['content-type']) h['content-type'] = 'application/scim+json';
    const res = await fetch(path.startsWith('http') ? path : `${scim}${path}`, {
      method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
    return { status: res.status, headers: res.headers, body: parsed, text };
  };
  const admin = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    req(method, `${url}/api/v1${path}`, body, { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...headers });
  return {
    url, scim, token: SCIM_TOKEN, container, req, admin,
    async addSite(contentUrl: string) {
      const site = await admin('POST', '/sites', { name: contentUrl, contentUrl });
      if (site.status !== 201) throw new Error(`site: ${site.status} ${site.text}`);
      const cfg = await admin('POST', `/sites/${site.body.id}/auth-configs`, { type: 'SAML', entityId: `urn:test:${contentUrl}` });
      const scimOn = await admin('POST', `/sites/${site.body.id}/scim`, { authConfigId: cfg.body.id });
      if (scimOn.status !== 200) throw new Error(`scim: ${scimOn.status} ${scimOn.text}`);
      return { siteId: site.body.id as string, secret: scimOn.body.secret as string };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await container.close();
    },
  };
}

let counter = 0;
/** A complete, Okta-shaped user body with a unique userName. */
export function userBody(overrides: Record<string, unknown> = {}) {
  counter++;
  const userName = `user${counter}.${Math.random().toString(36).slice(2, 8)}@example.test`;
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    name: { givenName: `Given${counter}`, familyName: `Family${counter}` },
    emails: [{ value: userName, type: 'work', primary: true }],
    active: true,
    ...overrides,
  };
}

export const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const patch = (...Operations: unknown[]) => ({ schemas: [PATCH], Operations });
