/**
 * Minimal typings for autocannon 8 (the package ships none). Only what the bench uses.
 * See node_modules/autocannon/README.md for the full option list.
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    type Context = Record<string, unknown>;

    interface RequestData {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
    }

    interface Request extends RequestData {
      /** Mutates/returns the request before it is sent; a falsy return restarts the sequence. */
      setupRequest?: (req: RequestData, context: Context) => RequestData | null | undefined | false;
      /** Called with every response of this request (the body is always collected). */
      onResponse?: (status: number, body: string, context: Context, headers: Record<string, string | string[]>) => void;
    }

    /** The per-connection client handed to `setupClient`. */
    interface Client extends EventEmitter {
      setRequests(requests: Request[]): void;
      setRequest(request: Request): void;
      setHeaders(headers: Record<string, string>): void;
      setBody(body: string | Buffer): void;
    }

    interface Options {
      url: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      amount?: number;
      /** Seconds before a request counts as timed out (default 10). */
      timeout?: number;
      pipelining?: number;
      method?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      requests?: Request[];
      setupClient?: (client: Client) => void;
      idReplacement?: boolean;
      maxConnectionRequests?: number;
      maxOverallRequests?: number;
      initialContext?: Context;
      title?: string;
      excludeErrorStats?: boolean;
      bailout?: number;
      sampleInt?: number;
    }

    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total?: number;
      p50: number;
      p90: number;
      p99: number;
      [percentile: string]: number | undefined;
    }

    interface Result {
      title?: string;
      url: string;
      /** Seconds. */
      duration: number;
      start: Date;
      finish: Date;
      connections: number;
      pipelining: number;
      /** Socket errors, including timeouts. */
      errors: number;
      timeouts: number;
      mismatches: number;
      non2xx: number;
      resets: number;
      '1xx': number;
      '2xx': number;
      '3xx': number;
      '4xx': number;
      '5xx': number;
      statusCodeStats: Record<string, { count: number }>;
      latency: Histogram;
      requests: Histogram & { sent: number };
      throughput: Histogram;
    }

    interface Instance extends EventEmitter, PromiseLike<Result> {
      stop(): void;
      on(event: 'response', listener: (client: Client, statusCode: number, resBytes: number, responseTimeMs: number) => void): this;
      on(event: 'reqError', listener: (error: Error) => void): this;
      on(event: 'done', listener: (result: Result) => void): this;
      on(event: 'tick', listener: (info: { counter: number; bytes: number }) => void): this;
      on(event: string, listener: (...args: unknown[]) => void): this;
    }
  }

  function autocannon(opts: autocannon.Options): autocannon.Instance;
  function autocannon(opts: autocannon.Options, cb: (err: Error | null, result: autocannon.Result) => void): autocannon.Instance;

  export = autocannon;
}
