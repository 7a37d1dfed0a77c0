import http from 'node:http';

/** A small keep-alive HTTP client for the bench's setup steps and single-request timings (127.0.0.1 only). */

export interface HttpReply {
  status: number;
  body: string;
  /** Wall time from write to the last byte of the response, in ms. */
  ms: number;
}

export const SCIM_BASE = '/scim/v2';

export class BenchHttp {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

  constructor(readonly port: number, private readonly token: string) {}

  /** A request to `/scim/v2<path>` with the bearer token; a JSON body is sent as application/scim+json. */
  scim(method: string, path: string, body?: unknown, timeoutMs = 120_000): Promise<HttpReply> {
    return this.raw(method, SCIM_BASE + path, body, timeoutMs, true);
  }

  raw(method: string, path: string, body?: unknown, timeoutMs = 120_000, auth = false): Promise<HttpReply> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string | number> = { accept: 'application/scim+json, application/json' };
    if (auth) headers.authorization = `Bearer ${this.token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/scim+json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    return new Promise<HttpReply>((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const req = http.request(
        { host: '127.0.0.1', port: this.port, method, path, headers, agent: this.agent, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const ms = Number(process.hrtime.bigint() - t0) / 1e6;
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The first `max` characters of a response body, on one line. */
export function snippet(body: string, max = 400): string {
  const s = body.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

export function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
