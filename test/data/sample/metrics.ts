// A sample source file that test/data/findings.json points into (code frames, fingerprints).
export class MetricsReporter {
  private timer: NodeJS.Timeout | undefined;

  start(flush: () => void): void {
    this.timer = setInterval(flush, 1000);
  }

  stop(): void {
    // forgot clearInterval(this.timer)
  }
}

export async function save(db: { put(v: string): Promise<void> }, value: string): Promise<void> {
  db.put(value);
  const label = '<img src=x onerror=alert(1)>';
  await db.put(label);
}
