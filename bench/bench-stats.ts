// Shared by the channel benchmarks: latency percentiles and a steady pacer.

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

/** Paces deliveries to `perSecond` over all families (token bucket without burst); 0 = unpaced. */
export function createPacer(perSecond: number): () => Promise<void> {
  if (perSecond <= 0) return async () => {};
  const interval = 1000 / perSecond;
  let next = performance.now();
  return async () => {
    const now = performance.now();
    next = Math.max(next + interval, now);
    const wait = next - now;
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  };
}
