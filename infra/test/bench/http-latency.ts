/** Latency samples in milliseconds, kept exact: autocannon's own histogram truncates to 1 ms. */
export interface LatencySummary {
  readonly samples: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  // Nearest rank, as HdrHistogram (and so autocannon) reports it.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

export function summarise(samples: readonly number[]): LatencySummary {
  // A typed array sorts numerically, and 100k samples sort in a few ms.
  const sorted = Float64Array.from(samples).sort();
  return {
    samples: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** Three decimals: microseconds are as fine as a loopback round trip honestly resolves. */
export function ms(value: number): number {
  return Math.round(value * 1000) / 1000;
}
