import { describe, expect, it } from 'vitest';
import { renderMetricCatalogue } from '../core/metric-docs.js';
import { renderMetrics, showMetrics, sourceOfMetric } from './metrics.js';

describe('medic metrics', () => {
  it('--catalogue prints the catalogue the README holds', async () => {
    const out: string[] = [];
    expect(await showMetrics({ catalogue: true }, (line) => out.push(line), () => undefined)).toBe(0);
    expect(out).toEqual([renderMetricCatalogue()]);
  });

  it.each([
    // [metric or unknown key, source]
    ['cpu.usage_pct', 'cpu'],
    ['cpu', 'cpu'],
    ['disk[/var/lib].free', 'disk'],
    ['worker.render.rss', 'workers'],
    ['worker[render.2].up', 'workers'],
    ['workers', 'workers'],
    ['gpu.3.temperature', 'gpu'],
    ['nvidia.healthy', 'gpu'],
    ['nvidia', 'gpu'],
    ['queue.jobs.depth', 'queue.jobs'],
    ['queue[jobs].up', 'queue.jobs'],
  ])('%s comes from %s', (key, source) => {
    expect(sourceOfMetric(key)).toBe(source);
  });

  it('prints values with units, unknowns with reasons, and what each source took', () => {
    const lines = renderMetrics({
      host: 'render-01',
      at: Date.UTC(2025, 0, 2, 3, 4, 5),
      rules: '/etc/medic',
      metrics: [
        { metric: 'gpu.0.temperature', value: 52, unit: 'celsius', source: 'gpu' },
        { metric: 'queue.jobs.depth', value: 3, unit: 'count', source: 'queue.jobs' },
      ],
      unknown: [{ metric: 'queue.jobs.growth_per_s', reason: 'needs two reads', source: 'queue.jobs' }],
      durationsMs: { gpu: 80, 'queue.jobs': 2.5 },
    });
    expect(lines).toEqual([
      'metrics on render-01 at 2025-01-02 03:04:05Z (workers, disks and queues from /etc/medic)',
      '',
      '  gpu.0.temperature  52°C  celsius  gpu',
      '  queue.jobs.depth   3     count    queue.jobs',
      '',
      'unknown:',
      '  queue.jobs.growth_per_s  queue.jobs  needs two reads',
      '',
      'sampling took: gpu 80 ms, queue.jobs 2.5 ms',
    ]);
  });
});
