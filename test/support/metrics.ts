import type { TestApp } from './test-app';

/**
 * The value of one series in the app's /metrics text: `name` with exactly `labels`, or 0 when the
 * series has not been written yet. Tests compare it before and after what they do, since a name
 * alone is printed as soon as the metric is registered.
 */
export async function metric(t: TestApp, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = (await t.http().get('/metrics').expect(200)).text;
  return metricIn(text, name, labels);
}

export function metricIn(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '')
      .split(/,(?=[a-zA-Z_]+=")/)
      .filter(Boolean)
      .sort()
      .join(',');
    if (have === wanted) return Number(match[3]);
  }
  return 0;
}

/** The sum of every series of `name`, whatever its labels: what a label that no code sets cannot hide. */
export async function metricTotal(t: TestApp, name: string): Promise<number> {
  const text = (await t.http().get('/metrics').expect(200)).text;
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Every series named in `names` (with no labels), read at once. */
export async function metrics(t: TestApp, names: string[]): Promise<Record<string, number>> {
  const text = (await t.http().get('/metrics').expect(200)).text;
  return Object.fromEntries(names.map((name) => [name, metricIn(text, name)]));
}
