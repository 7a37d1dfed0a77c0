/**
 * The load-shedding front door (src/http/shed.ts, issue 8 §3, SPEC §9) on the real HTTP stack
 * and SQLite store: the concurrency bound, a credential over its rate and the event-loop lag
 * bound are refused with 429 (integer Retry-After, SCIM Error body) before Express, while
 * probes still answer, keep-alive connections stay usable and admitted work completes. No
 * timing is asserted (speed is the overload bench's business), only answers.
 */
import { describe, expect, it } from '@jest/globals';
import http from 'node:http';
import net from 'node:net';
import { SCIM_TOKEN, startTestServer, userBody } from '../helpers/server.js';

const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** A 429 of the front door: integer Retry-After, the SCIM Error body of request.rate_limited. */
function expectShed(status: number, headers: Record<string, string | string[] | undefined> | Headers, text: string) {
  const get = (h: string) => (headers instanceof Headers ? headers.get(h) : headers[h]) ?? '';
  expect(status).toBe(429);
  expect(String(get('retry-after'))).toMatch(/^\d+$/);
  expect(String(get('content-type'))).toContain('application/scim+json');
  expect(String(get('x-request-id'))).not.toBe('');
  const body = JSON.parse(text);
  expect(body).toEqual({ schemas: [SCIM_ERROR], status: '429', detail: expect.stringMatching(/retry after 1 s/) });
}

/** Value of a Prometheus sample in /metrics (0 when absent). */
async function metric(url: string, sample: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}

describe('load shedding before Express (src/http/shed.ts)', () => {
  it('at maxConcurrent requests in flight, refuses the rest with 429 + Retry-After + SCIM Error; probes still answer; slots come back', async () => {
    const srv = await startTestServer({ limits: { ratePerSecond: 0, maxConcurrent: 3, maxLagMs: 0 } });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    try {
      // Three creates whose bodies arrive slowly: admitted, they hold the three slots.
      const slow = Array.from({ length: 3 }, () => {
        const body = JSON.stringify(userBody());
        const req = http.request(`${srv.scim}/Users`, {
          method: 'POST', headers: { authorization: `Bearer ${SCIM_TOKEN}`, 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(body) },
        });
        const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
          req.on('response', (res) => { let t = ''; res.on('data', (d) => { t += d; }); res.on('end', () => resolve({ status: res.statusCode!, text: t })); });
          req.on('error', reject);
        });
        req.write(body.slice(0, 10));
        return { req, answered, rest: body.slice(10) };
      });
      for (let i = 0; i < 200 && (await metric(srv.url, 'rolegate_requests_in_flight')) < 3; i++) await new Promise((r) => setTimeout(r, 10));
      expect(await metric(srv.url, 'rolegate_requests_in_flight')).toBe(3);

      // Anything else is refused at once, SCIM and admin paths alike, without reading a token.
      const refused = await Promise.all([
        ...Array.from({ length: 10 }, () => srv.req('GET', '/Users?count=1')),
        srv.req('POST', '/Users', userBody()),
        srv.admin('GET', '/sites'),
        srv.req('GET', '/Users', undefined, { authorization: 'Bearer not-a-token' }),
      ]);
      for (const r of refused) expectShed(r.status, r.headers, r.text);
      // Probes bypass the bound.
      const health = await fetch(`${srv.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect(health.headers.get('x-request-id')).toBeTruthy();
      expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);

      // A refused request with a body leaves its keep-alive connection usable: its body is drained.
      const viaAgent = (method: string, path: string, payload?: string) => new Promise<{ status: number; reused: boolean; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
        const req = http.request(`${srv.scim}${path}`, {
          method, agent, headers: { authorization: `Bearer ${SCIM_TOKEN}`, 'content-type': 'application/scim+json', ...(payload ? { 'content-length': Buffer.byteLength(payload) } : {}) },
        });
        req.on('response', (res) => { let t = ''; res.on('data', (d) => { t += d; }); res.on('end', () => resolve({ status: res.statusCode!, reused: req.reusedSocket, headers: res.headers, text: t })); });
        req.on('error', reject);
        req.end(payload);
      });
      const first = await viaAgent('POST', '/Users', JSON.stringify(userBody()));
      expectShed(first.status, first.headers, first.text);
      expect(first.headers.connection).not.toBe('close');

      // The slow creates complete (they were admitted), and their slots come back.
      for (const x of slow) x.req.end(x.rest);
      const done = await Promise.all(slow.map((x) => x.answered));
      expect(done.map((d) => d.status)).toEqual([201, 201, 201]);
      for (let i = 0; i < 200 && (await metric(srv.url, 'rolegate_requests_in_flight')) > 0; i++) await new Promise((r) => setTimeout(r, 10));
      const again = await viaAgent('POST', '/Users', JSON.stringify(userBody()));
      expect(again.status).toBe(201);
      expect(again.reused).toBe(true); // the same keep-alive connection as the refused request
      expect(await metric(srv.url, 'rolegate_requests_shed_total{reason="concurrency"}')).toBe(refused.length + 1);
      expect(await metric(srv.url, 'rolegate_requests_in_flight')).toBe(0);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });

  it('a credential over its rate is refused before routing until its bucket refills; other tokens are unaffected', async () => {
    const srv = await startTestServer({ limits: { ratePerSecond: 1, burst: 2, maxConcurrent: 0, maxLagMs: 0 } });
    try {
      expect((await srv.req('GET', '/Users?count=1')).status).toBe(200);
      expect((await srv.req('GET', '/Users?count=1')).status).toBe(200);
      // The bucket's own refusal (after authentication) ...
      const byBucket = await srv.req('GET', '/Users?count=1');
      expectShed(byBucket.status, byBucket.headers, byBucket.text);
      expect(await metric(srv.url, 'rolegate_requests_shed_total{reason="rate"}')).toBe(0);
      // ... then the same answer from the front door, for as long as the bucket stays empty.
      const again = await Promise.all([srv.req('GET', '/Users?count=1'), srv.req('POST', '/Users', userBody()), srv.req('GET', '/Groups')]);
      for (const r of again) expectShed(r.status, r.headers, r.text);
      expect(again.map((r) => r.body.detail)).toEqual(Array(3).fill(byBucket.body.detail));
      expect(await metric(srv.url, 'rolegate_requests_shed_total{reason="rate"}')).toBe(3);
      // Nothing else is refused on its account: another (invalid) token is authenticated as usual.
      expect((await srv.req('GET', '/Users', undefined, { authorization: 'Bearer not-a-token' })).status).toBe(401);
      // Once a token is back in the bucket, the credential is admitted again.
      await new Promise((r) => setTimeout(r, 1100));
      expect((await srv.req('GET', '/Users?count=1')).status).toBe(200);
    } finally {
      await srv.close();
    }
  });

  it('while the event loop is more than maxLagMs late, refuses requests before routing; probes still answer', async () => {
    const srv = await startTestServer({ limits: { ratePerSecond: 0, maxConcurrent: 0, maxLagMs: 20 } });
    // Raw keep-alive sockets, so that the test decides exactly when each request reaches the server.
    const { port } = new URL(srv.url);
    const open = async () => {
      const sock = net.connect(Number(port), '127.0.0.1');
      await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
      let buf = '';
      const waiters: ((r: { status: number; headers: Record<string, string>; text: string }) => void)[] = [];
      sock.on('data', (d) => {
        buf += d.toString('latin1');
        for (;;) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const lines = buf.slice(0, end).split('\r\n');
          const headers = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
          const len = Number(headers['content-length'] ?? 0);
          if (buf.length < end + 4 + len) return;
          const text = buf.slice(end + 4, end + 4 + len);
          buf = buf.slice(end + 4 + len);
          waiters.shift()?.({ status: Number(lines[0]!.split(' ')[1]), headers, text });
        }
      });
      const send = (path: string) => {
        const answer = new Promise<{ status: number; headers: Record<string, string>; text: string }>((resolve) => waiters.push(resolve));
        sock.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${SCIM_TOKEN}\r\n\r\n`);
        return answer;
      };
      return { sock, send };
    };
    // A neighbour in the same process that keeps the loop busy for 80 ms once its data arrives.
    const busy = net.createServer((c) => c.on('data', () => { const until = performance.now() + 80; while (performance.now() < until); }));
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const nudge = net.connect((busy.address() as net.AddressInfo).port, '127.0.0.1');
    await new Promise<void>((resolve) => nudge.once('connect', resolve));
    const socks = await Promise.all(Array.from({ length: 8 }, () => open()));
    try {
      for (const s of socks) expect((await s.send('/scim/v2/Users?count=1')).status).toBe(200); // connections accepted, warm
      await new Promise((r) => setTimeout(r, 50));
      // One turn of the loop: the neighbour's 80 ms first, then the eight requests.
      nudge.write('x');
      const answers = await Promise.all(socks.map((s) => s.send('/scim/v2/Users?count=1')));
      const shed = answers.filter((a) => a.status === 429);
      for (const a of answers) expect([200, 429]).toContain(a.status);
      expect(shed.length).toBeGreaterThan(0);
      for (const a of shed) expectShed(a.status, a.headers, a.text);
      expect(await metric(srv.url, 'rolegate_requests_shed_total{reason="lag"}')).toBe(shed.length);
      // A probe in a busy turn is still answered, and once the loop is back on time requests are admitted again.
      nudge.write('x');
      const probes = await Promise.all(socks.map((s, i) => s.send(i % 2 ? '/healthz' : '/scim/v2/Users?count=1')));
      for (const [i, p] of probes.entries()) if (i % 2) expect(p.status).toBe(200);
      await new Promise((r) => setTimeout(r, 50));
      for (const s of socks) expect((await s.send('/scim/v2/Users?count=1')).status).toBe(200);
    } finally {
      for (const s of socks) s.sock.destroy();
      nudge.destroy();
      await new Promise<void>((resolve) => busy.close(() => resolve()));
      await srv.close();
    }
  });
});
