/**
 * A mergeable latency histogram: geometric buckets 1 % wide from 1 µs, so any percentile read
 * from it is within about 0.5 % of the true sample. Load generators fill one each and the
 * orchestrator merges them; the exact minimum, maximum and mean are kept beside the buckets.
 */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);

export interface HistogramData {
  /** [bucket index, count] pairs, buckets in ascending order. */
  buckets: [number, number][];
  count: number;
  sumMs: number;
  minMs: number;
  maxMs: number;
}

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export class Histogram {
  readonly #counts = new Map<number, number>();
  count = 0;
  sumMs = 0;
  minMs = Infinity;
  maxMs = 0;

  add(ms: number): void {
    const us = Math.max(1, ms * 1000);
    const index = Math.floor(Math.log(us) / LOG_GROWTH);
    this.#counts.set(index, (this.#counts.get(index) ?? 0) + 1);
    this.count++;
    this.sumMs += ms;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  merge(data: HistogramData): void {
    for (const [index, n] of data.buckets)
      this.#counts.set(index, (this.#counts.get(index) ?? 0) + n);
    this.count += data.count;
    this.sumMs += data.sumMs;
    if (data.count > 0) {
      this.minMs = Math.min(this.minMs, data.minMs);
      this.maxMs = Math.max(this.maxMs, data.maxMs);
    }
  }

  toJSON(): HistogramData {
    const buckets = [...this.#counts.entries()].sort((a, b) => a[0] - b[0]);
    return {
      buckets,
      count: this.count,
      sumMs: this.sumMs,
      minMs: this.count > 0 ? this.minMs : 0,
      maxMs: this.maxMs,
    };
  }

  /** The value below which `p` per cent of the samples lie (bucket midpoint, capped at max). */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (const [index, n] of [...this.#counts.entries()].sort((a, b) => a[0] - b[0])) {
      seen += n;
      if (seen >= rank) {
        const midUs = Math.pow(GROWTH, index + 0.5);
        return Math.min(this.maxMs, Math.max(this.minMs, midUs / 1000));
      }
    }
    return this.maxMs;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      meanMs: this.count > 0 ? this.sumMs / this.count : NaN,
      p50Ms: this.percentile(50),
      p90Ms: this.percentile(90),
      p99Ms: this.percentile(99),
      p999Ms: this.percentile(99.9),
      maxMs: this.count > 0 ? this.maxMs : NaN,
    };
  }
}
