import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface SeatSnapshot {
  siteId: string;
  tier: string;
  used: number;
  capacity: number | null;
}

/**
 * Prometheus metrics (SPEC §9): requests by route, status and client; latency histograms;
 * seats used per site and tier; audit lag (request entries waiting to be written). Route
 * labels are the matched route patterns, never raw paths (ids would explode cardinality).
 */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'rolegate_requests_total', help: 'HTTP requests', labelNames: ['route', 'method', 'status', 'client'], registers: [this.registry] });
  readonly latency = new Histogram({
    name: 'rolegate_request_duration_seconds', help: 'HTTP request latency', labelNames: ['route', 'method'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [this.registry],
  });
  /** Requests refused by the load-shedding front door, before Express (not in rolegate_requests_total). */
  readonly shed = new Counter({ name: 'rolegate_requests_shed_total', help: 'Requests refused with 429 before routing (overload)', labelNames: ['reason'], registers: [this.registry] });

  constructor(opts: { seats: () => Promise<SeatSnapshot[]>; auditLag: () => number; inFlight: () => number }) {
    collectDefaultMetrics({ register: this.registry, prefix: 'rolegate_' });
    new Gauge({
      name: 'rolegate_seats_used', help: 'License seats held, per site and tier', labelNames: ['site', 'tier'], registers: [this.registry],
      async collect() {
        this.reset();
        for (const s of await opts.seats()) this.set({ site: s.siteId, tier: s.tier }, s.used);
      },
    });
    new Gauge({
      name: 'rolegate_seats_capacity', help: 'License seat capacity per site and tier (absent = unlimited)', labelNames: ['site', 'tier'], registers: [this.registry],
      async collect() {
        this.reset();
        for (const s of await opts.seats()) if (s.capacity !== null) this.set({ site: s.siteId, tier: s.tier }, s.capacity);
      },
    });
    new Gauge({ name: 'rolegate_audit_lag_entries', help: 'Request audit entries buffered, not yet written', registers: [this.registry], collect() { this.set(opts.auditLag()); } });
    new Gauge({ name: 'rolegate_requests_in_flight', help: 'Requests being served', registers: [this.registry], collect() { this.set(opts.inFlight()); } });
  }

  observe(route: string, method: string, status: number, client: string, seconds: number) {
    this.requests.inc({ route, method, status: String(status), client });
    this.latency.observe({ route, method }, seconds);
  }
}
