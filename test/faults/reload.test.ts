// Fault: a rules reload (SIGHUP) with broken rules, six ways. Each is refused with its place in
// the file, journaled, and the rules in force keep healing; a good file is taken again after.
import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, queryJournal } from '../helpers/medic-process.js';
import { WORKERS, createFaultBed, createMarker, findPids, useFaultBeds } from './support.js';

useFaultBeds();

describe('rules reload with a broken file', () => {
  it('is refused six ways, each with file:line:column; the rules in force keep healing; a good file is then taken', async () => {
    const marker = createMarker('reload');
    const good = `settings: { interval: 200ms }
workers:
  w:
    start: [node, ${path.join(WORKERS, 'steady.mjs')}, ${marker}]
    restart_policy: { verify: 300ms, backoff: { initial: 100ms, max: 200ms, reset_after: 500ms } }
rules:
  - name: never
    when: memory.total < 0
    do: [exec: [/bin/true]]
`;
    const bed = createFaultBed(good);
    const rulesFile = path.join(bed.rulesDir, 'rules.yaml');
    const medic = bed.start();
    await medic.waitForLog((line) => line.msg.startsWith('steady: up'));

    const breakages: { label: string; apply: () => void; place: RegExp | null }[] = [
      { label: 'a YAML syntax error', apply: () => writeFileSync(rulesFile, 'rules:\n  - name: [broken\n    when: x\n'), place: /rules\.yaml:\d+:\d+: / },
      { label: 'an unknown metric', apply: () => writeFileSync(rulesFile, good.replace('memory.total < 0', 'memory.totl < 0')), place: /rules\.yaml:8:11: .*did you mean "total"/ },
      { label: 'a wrong type', apply: () => writeFileSync(rulesFile, good.replace('interval: 200ms', 'interval: [200ms]')), place: /rules\.yaml:1:23: settings\.interval: expected a duration/ },
      { label: 'binary garbage', apply: () => writeFileSync(rulesFile, randomBytes(4096)), place: /rules\.yaml:\d+:\d+: / },
      { label: 'a worker defined twice across files', apply: () => (writeFileSync(rulesFile, good), writeFileSync(path.join(bed.rulesDir, 'more.yaml'), good.split('rules:')[0]!)), place: /\.yaml:\d+:\d+: .*w/ },
      { label: 'no rules file left', apply: () => renameSync(rulesFile, `${rulesFile}.bak`), place: null },
    ];
    let refused = 0;
    for (const breakage of breakages) {
      if (breakage.label === 'no rules file left') renameSync(path.join(bed.rulesDir, 'more.yaml'), path.join(bed.rulesDir, 'more.yaml.bak'));
      breakage.apply();
      const seen = medic.logs.length;
      medic.child.kill('SIGHUP');
      const line = await medic.waitForLog((l) => l.msg.startsWith('reload refused'), 10_000);
      refused += 1;
      expect(line.msg, breakage.label).toContain('keeping the');
      const errors = medic.logs.slice(seen).filter((l) => l.level >= 50).map((l) => l.msg);
      if (breakage.place) expect(errors.some((msg) => breakage.place!.test(msg)), `${breakage.label}: ${errors.join(' | ')}`).toBe(true);
      // Wait for this refusal's line before the next SIGHUP.
      medic.logs.splice(0, medic.logs.indexOf(line) + 1);
    }
    expect(queryJournal(bed.stateDir, `SELECT id FROM events WHERE kind = 'reload-failed'`)).toHaveLength(refused);

    // The rules in force still heal: the crashed worker comes back.
    const [pid] = findPids(marker);
    process.kill(pid!, 'SIGKILL');
    await eventually(() => findPids(marker).find((other) => other !== pid), 'the worker to be restarted under the old rules', 10_000);

    renameSync(`${rulesFile}.bak`, rulesFile);
    writeFileSync(rulesFile, `${good}  - name: also-never\n    when: memory.total < 0\n    do: [exec: [/bin/true]]\n`);
    medic.child.kill('SIGHUP');
    await medic.waitForLog((l) => l.msg.startsWith('rules reloaded'), 10_000);
    expect(queryJournal(bed.stateDir, `SELECT id FROM events WHERE kind = 'reload'`)).toHaveLength(1);
    await medic.stop();
  });
});
