// End to end: `medic run` as a real process sampling a real Redis list and the nvidia-smi
// stand-in (first on PATH, replaying a real H200 capture), each on its own interval. A backlog
// rule drains the list with redis-cli and the incident is journaled as recovered; a GPU rule
// fires on the capture's temperature. Then `medic metrics --json` shows both sources.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { MetricsReport } from '../../src/cli/metrics.js';
import { eventually, queryJournal, REPO, runMedic, startMedic, type MedicProcess } from '../helpers/medic-process.js';
import { requireService } from '../helpers/require-service.js';

const redisUp = await requireService('Redis', '127.0.0.1', 6379);

const BIN = join(REPO, 'test', 'fixtures', 'bin');
const H200 = 'csv-h200-590.48.01-load-fullquery.csv';
const KEY = `medic-e2e-${process.pid}-${Date.now().toString(36)}`;
const GPU_ENV = { PATH: `${BIN}:${process.env.PATH ?? ''}`, NVIDIA_SMI_FIXTURES: H200, NVIDIA_SMI_HANG: '0', NVIDIA_SMI_DELAY_MS: '0' };

/** The capture's own number for a field, so the expectation is the capture, not a guess. */
function captured(field: string): number {
  const [header, row] = readFileSync(join(REPO, 'test/fixtures/nvidia-smi', H200), 'utf8').split('\n');
  const names = header!.split(', ').map((h) => h.replace(/ \[.+\]$/, ''));
  return Number(row!.split(', ')[names.indexOf(field)]!.split(' ')[0]);
}

const running: MedicProcess[] = [];
const dirs: string[] = [];
let redis: Redis | undefined;

afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.shutdown()));
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});
afterAll(async () => {
  if (!redis) return;
  await redis.del(KEY);
  redis.disconnect();
});

function setup(): { rulesDir: string; stateDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'medic-sampling-e2e-'));
  dirs.push(dir);
  const rulesDir = join(dir, 'rules');
  mkdirSync(rulesDir);
  writeFileSync(
    join(rulesDir, 'rules.yaml'),
    `
settings:
  interval: 200ms
  sampling:
    gpu: { interval: 500ms, timeout: 5s, enabled: true }
    queues: { interval: 200ms, timeout: 5s }
queues:
  jobs: { redis: { url: "redis://127.0.0.1:6379/0", list: ${KEY} } }
rules:
  - name: backlog
    when: queue.jobs.depth > 5
    do:
      - exec: [redis-cli, -h, 127.0.0.1, DEL, ${KEY}]
    verify: 1s
  - name: gpu-warm
    when: gpu.0.temperature >= ${captured('temperature.gpu')} and nvidia.healthy == 1
    severity: warning
    do: [{ exec: ["true"] }]
    verify: 1m
`,
  );
  return { rulesDir, stateDir: join(dir, 'state') };
}

interface IncidentRow {
  id: number;
  status: string;
  trigger_json: string;
}

describe.runIf(redisUp)('sampling in medic run', () => {
  it('drains a Redis backlog through a rule, reads the GPU from nvidia-smi, and medic metrics shows both', async () => {
    redis = new Redis('redis://127.0.0.1:6379/0', { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.rpush(KEY, ...Array.from({ length: 10 }, (_, i) => `job-${i}`));
    const { rulesDir, stateDir } = setup();
    const medic = startMedic(['run', '--rules', rulesDir, '--state', stateDir], GPU_ENV);
    running.push(medic);

    const recovered = await eventually(
      () => queryJournal<IncidentRow>(stateDir, `SELECT id, status, trigger_json FROM incidents WHERE rule = 'backlog' AND status = 'recovered'`)[0],
      'the backlog incident to be recovered',
      30_000,
    );
    expect(JSON.parse(recovered.trigger_json)).toEqual({ 'queue.jobs.depth': 10 });
    const actions = queryJournal<{ type: string; status: string }>(stateDir, 'SELECT type, status FROM actions WHERE incident_id = ?', recovered.id);
    expect(actions).toEqual([{ type: 'exec', status: 'ok' }]);
    expect(await redis.llen(KEY)).toBe(0);

    const gpu = await eventually(() => queryJournal<IncidentRow>(stateDir, `SELECT id, status, trigger_json FROM incidents WHERE rule = 'gpu-warm'`)[0], 'the GPU rule to fire', 20_000);
    expect(JSON.parse(gpu.trigger_json)).toEqual({ 'gpu.0.temperature': captured('temperature.gpu'), 'nvidia.healthy': 1 });
    expect(medic.output()).toContain('GPU sampling: 1 GPU(s) answer nvidia-smi');
    expect(medic.output()).not.toContain('will stay unknown');
    expect((await medic.stop('SIGTERM')).code).toBe(0);

    await redis.rpush(KEY, 'a', 'b', 'c');
    const result = await runMedic(['metrics', '--json', '--rules', rulesDir, '--state', stateDir], GPU_ENV);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as MetricsReport;
    const metric = (name: string) => report.metrics.find((m) => m.metric === name);
    const why = JSON.stringify(report.unknown.filter((u) => u.source !== 'workers'));
    expect(metric('queue.jobs.depth'), why).toEqual({ metric: 'queue.jobs.depth', value: 3, unit: 'count', source: 'queue.jobs' });
    expect(metric('queue.jobs.up')).toMatchObject({ value: 1, source: 'queue.jobs' });
    expect(metric('gpu.0.temperature'), why).toEqual({ metric: 'gpu.0.temperature', value: captured('temperature.gpu'), unit: 'celsius', source: 'gpu' });
    expect(metric('gpu.0.memory_used')).toMatchObject({ value: captured('memory.used') * 1024 * 1024, unit: 'bytes' });
    expect(metric('gpu.0.power_limit')).toMatchObject({ unit: 'watts', source: 'gpu' });
    expect(metric('cpu.usage_pct')).toMatchObject({ unit: 'percent', source: 'cpu' });
    expect(report.unknown.find((u) => u.metric === 'queue.jobs.growth_per_s')).toMatchObject({ source: 'queue.jobs' });
    expect(Object.keys(report.durationsMs)).toEqual(expect.arrayContaining(['cpu', 'workers', 'gpu', 'queue.jobs']));
  }, 60_000);
});
