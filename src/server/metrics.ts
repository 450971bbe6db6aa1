/**
 * Prometheus metrics. Each app gets its own registry, so several servers can live in one test
 * process. Labels are low-cardinality by design: no presentation ids, no tokens.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();

  readonly connections = new Gauge({
    name: 'rp_connections',
    help: 'Open realtime connections by role and transport.',
    labelNames: ['role', 'transport'] as const,
    registers: [this.registry],
  });

  readonly presentations = new Gauge({
    name: 'rp_presentations',
    help: 'Presentations with live connections on this node, by lifecycle state.',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly messagesIn = new Counter({
    name: 'rp_messages_in_total',
    help: 'Protocol messages received, by role and type.',
    labelNames: ['role', 'type'] as const,
    registers: [this.registry],
  });

  readonly messagesOut = new Counter({
    name: 'rp_messages_out_total',
    help: 'Protocol messages sent, by type.',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: 'rp_errors_total',
    help: 'Errors sent to clients, by code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly fanOutSeconds = new Histogram({
    name: 'rp_fanout_seconds',
    help: 'Time from receiving a presenter change to writing it to every local viewer.',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [this.registry],
  });

  readonly slowViewers = new Counter({
    name: 'rp_slow_viewer_skips_total',
    help: 'Times a viewer fell behind its buffer cap and was skipped to a snapshot.',
    registers: [this.registry],
  });

  constructor(options: { defaults?: boolean } = {}) {
    if (options.defaults) collectDefaultMetrics({ register: this.registry });
  }
}
