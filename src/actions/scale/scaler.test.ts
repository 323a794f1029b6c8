// scale_out / scale_in on a fleet (a real command, a real HTTP endpoint) and on managed
// replicas (a real Supervisor running real processes), with a virtual clock for cooldowns.
import { createServer } from 'node:http';
import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/helpers/eventually.js';
import type { FleetTarget, ScaleAction } from '../../core/action-specs.js';
import type { WorkerSpec } from '../../core/types.js';
import { Supervisor } from '../../supervisor/supervisor.js';
import { ReplicaSet, type ReplicatedSpec } from './replica-set.js';
import { Scaler } from './scaler.js';

const MINUTE = 60_000;
let dir: string;
let clock: number;
let supervisor: Supervisor;
let deps: { workers: Map<string, WorkerSpec>; replicas: ReplicaSet };

beforeEach(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'medic-scale-')));
  clock = 1_000_000;
  supervisor = new Supervisor({ stateDir: dir });
  deps = { workers: new Map(), replicas: new ReplicaSet(supervisor, () => clock) };
});
afterEach(async () => {
  await supervisor.stopAll();
  await rm(dir, { recursive: true, force: true });
});

const newScaler = () => new Scaler({ file: path.join(dir, 'scaling.json'), now: () => clock });
const scaleOut = (fleet: FleetTarget, step = 1): ScaleAction => ({ type: 'scale_out', step, cooldownMs: 5 * MINUTE, timeoutMs: 5000, fleet });

/** A stand-in for `kubectl scale`: records its argv, keeps the count where `cat` reads it. */
async function fakeKubectl(initial: number): Promise<FleetTarget> {
  const script = path.join(dir, 'kubectl');
  await writeFile(path.join(dir, 'count'), `${initial}\n`);
  await writeFile(script, `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/argv"\nfor a; do case "$a" in --replicas=*) echo "\${a#--replicas=}" > "${dir}/count";; esac; done\n`, { mode: 0o755 });
  return { command: [script, 'scale', 'deploy/render', '--replicas={replicas}'], currentCommand: ['cat', path.join(dir, 'count')], min: 1, max: 4 };
}

describe('fleet', () => {
  it('scales out by command within max, with a cooldown in both directions, and gives back what it added', async () => {
    const fleet = await fakeKubectl(2);
    const scaler = newScaler();
    const first = await scaler.scale('backlog', scaleOut(fleet), deps);
    expect(first).toMatchObject({ ok: true, details: { replicasBefore: 2, replicasAfter: 3, min: 1, max: 4 } });
    expect(await readFile(path.join(dir, 'argv'), 'utf8')).toBe('scale\ndeploy/render\n--replicas=3\n');

    clock += MINUTE;
    const tooSoon = await scaler.scale('backlog', scaleOut(fleet), deps);
    expect(tooSoon).toMatchObject({ ok: false, status: 'cooldown', details: { replicasBefore: 3, replicasAfter: 3, refused: 'cooldown' } });
    expect(tooSoon.message).toContain('in cooldown for 4m more');
    // Giving back is a change too: not within the cooldown either.
    expect(await scaler.giveBack('backlog', deps)).toEqual([]);

    clock += 4 * MINUTE;
    expect(await scaler.scale('backlog', scaleOut(fleet, 5), deps)).toMatchObject({ ok: true, details: { replicasBefore: 3, replicasAfter: 4 } });
    clock += 5 * MINUTE;
    expect(await scaler.scale('backlog', scaleOut(fleet), deps)).toMatchObject({ ok: false, status: 'at-max', details: { replicasAfter: 4 } });

    const [back] = await scaler.giveBack('backlog', deps);
    expect(back).toMatchObject({ ok: true, details: { replicasBefore: 4, replicasAfter: 2, added: 2 } });
    expect(await readFile(path.join(dir, 'count'), 'utf8')).toBe('2\n');
    expect(scaler.rules()).toEqual([]);
  });

  it('gives back no more than it added, never below min, and remembers grants across restarts', async () => {
    const fleet = await fakeKubectl(1);
    await newScaler().scale('backlog', scaleOut(fleet), deps);
    // Someone scales in by hand meanwhile.
    await writeFile(path.join(dir, 'count'), '1\n');
    clock += 10 * MINUTE;
    const restarted = newScaler();
    await restarted.load();
    expect(restarted.rules()).toEqual(['backlog']);
    const [back] = await restarted.giveBack('backlog', deps);
    expect(back).toMatchObject({ ok: true, details: { replicasBefore: 1, replicasAfter: 1 } });
    expect(back!.message).toContain('nothing to give back, already at 1, min is 1');
  });

  it('without current_command it goes by the count it last set, starting at min', async () => {
    const { currentCommand: _unused, ...fleet } = await fakeKubectl(7);
    const scaler = newScaler();
    expect(await scaler.scale('b', scaleOut(fleet), deps)).toMatchObject({ details: { replicasBefore: 1, replicasAfter: 2 } });
  });

  it('a failing scale command changes nothing but still starts the cooldown', async () => {
    const fleet: FleetTarget = { command: ['sh', '-c', 'echo "forbidden: {replicas}" >&2; exit 3'], min: 1, max: 4 };
    const scaler = newScaler();
    const failed = await scaler.scale('b', scaleOut(fleet), deps);
    expect(failed).toMatchObject({ ok: false, status: 'exit-code', details: { replicasBefore: 1, replicasAfter: 1 } });
    expect(failed.message).toContain('forbidden: 2');
    expect(await scaler.scale('b', scaleOut(fleet), deps)).toMatchObject({ status: 'cooldown' });
    expect(scaler.rules()).toEqual([]);
  });

  it('an unreadable current count refuses rather than guessing', async () => {
    const fleet: FleetTarget = { command: ['true', '{replicas}'], currentCommand: ['echo', 'NotFound'], min: 1, max: 4 };
    const outcome = await newScaler().scale('b', scaleOut(fleet), deps);
    expect(outcome).toMatchObject({ ok: false, status: 'count-unknown' });
    expect(outcome.message).toContain('current_command printed "NotFound", not a whole number');
  });

  it('sets the count by HTTP with { "replicas": N }', async () => {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        bodies.push(`${req.method} ${req.url} ${body}`);
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/groups/render`;
      const outcome = await newScaler().scale('b', scaleOut({ http: { url, method: 'PATCH' }, min: 2, max: 6 }, 3), deps);
      expect(outcome).toMatchObject({ ok: true, details: { replicasBefore: 2, replicasAfter: 5 } });
      expect(bodies).toEqual(['PATCH /groups/render {"replicas":5}']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('managed replicas', () => {
  const render: ReplicatedSpec = { name: 'render', mode: 'managed', argv: [process.execPath, '-e', 'setInterval(() => {}, 1000)'], stopTimeoutMs: 2000, restartTimeoutMs: 5000, replicas: { min: 1, max: 3 } };
  const out: ScaleAction = { type: 'scale_out', worker: 'render', step: 1, cooldownMs: 0, timeoutMs: 5000 };

  it('runs copies NAME.2..NAME.N, reports them as metrics, restarts one that dies, stops them on scale_in', async () => {
    deps.workers.set('render', render);
    await supervisor.start(render);
    const scaler = newScaler();
    const outcome = await scaler.scale('backlog', out, deps);
    expect(outcome).toMatchObject({ ok: true, details: { target: 'render', replicasBefore: 1, replicasAfter: 2, replicaEvents: ['render.2 started'] } });
    expect(supervisor.status('render.2')?.up).toBe(true);
    expect(Object.fromEntries(deps.replicas.metrics([render]))).toEqual({ 'worker.render.replicas': 2, 'worker.render.replicas_up': 2 });
    expect(deps.replicas.probes([render])).toEqual([{ name: 'render.2', pid: supervisor.status('render.2')!.pid, restarts: 0 }]);
    expect(deps.replicas.pids(render)).toEqual([supervisor.status('render')!.pid, supervisor.status('render.2')!.pid]);

    // A copy that dies is started again on the next pass.
    const oldPid = supervisor.status('render.2')!.pid!;
    process.kill(-oldPid, 'SIGKILL');
    await eventually(() => supervisor.status('render.2')?.up === false, 'the killed copy render.2 to be seen down');
    expect(Object.fromEntries(deps.replicas.metrics([render]))['worker.render.replicas_up']).toBe(1);
    const [event] = await deps.replicas.keepRunning([render]);
    expect(event).toMatchObject({ replica: 'render.2', kind: 'restarted' });
    expect(supervisor.status('render.2')!.pid).not.toBe(oldPid);

    const back = await scaler.scale('quiet', { ...out, type: 'scale_in' }, deps);
    expect(back).toMatchObject({ ok: true, details: { replicasBefore: 2, replicasAfter: 1, replicaEvents: ['render.2 stopped'] } });
    expect(supervisor.status('render.2')?.up).toBe(false);
    // scale_in took back what scale_out granted: nothing left to give back.
    expect(scaler.rules()).toEqual([]);
  });

  it('never past max: at max the step is refused and the ladder moves on', async () => {
    deps.workers.set('render', { ...render, replicas: { min: 2, max: 2 } });
    const outcome = await newScaler().scale('backlog', out, deps);
    expect(outcome).toMatchObject({ ok: false, status: 'at-max', details: { replicasBefore: 2, replicasAfter: 2 } });
  });

  it('refuses a worker without replicas', async () => {
    const { replicas: _r, ...plain } = render;
    deps.workers.set('render', plain);
    expect(await newScaler().scale('b', out, deps)).toMatchObject({ ok: false, status: 'no-target' });
  });
});

