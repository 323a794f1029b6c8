// The shipped unit file, checked by systemd's own parser. systemd-analyze prints problems on
// stderr and can still exit 0 (PLATFORM.md), so any output on stderr fails the test. ExecStart
// must point at an existing program for verify, so the copy under test points at a stand-in.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const unitText = readFileSync(new URL('../../systemd/medic.service', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'medic-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe.skipIf(!hasAnalyze && !process.env.CI)('systemd/medic.service', () => {
  it('passes systemd-analyze verify with no complaint', () => {
    const medic = join(dir, 'medic');
    writeFileSync(medic, '#!/bin/sh\n');
    chmodSync(medic, 0o755);
    const unit = join(dir, 'medic.service');
    writeFileSync(unit, unitText.replace('/usr/local/bin/medic', medic));
    const result = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('runs medic as a notify service with a watchdog, restarts and reload', () => {
    expect(unitText).toMatch(/^Type=notify$/m);
    expect(unitText).toMatch(/^WatchdogSec=\d+s$/m);
    expect(unitText).toMatch(/^Restart=on-failure$/m);
    expect(unitText).toMatch(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    expect(unitText).toMatch(/--state \/var\/lib\/medic/);
    expect(unitText).toMatch(/--rules \/etc\/medic/);
  });

  it('is detected as broken when a key is misspelled (the check can fail)', () => {
    const unit = join(dir, 'broken.service');
    writeFileSync(unit, unitText.replace('/usr/local/bin/medic', '/bin/true').replace('Restart=on-failure', 'Restart=sometimes'));
    const result = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect(result.stderr).toMatch(/restart specifier/);
  });
});

if (!hasAnalyze && !process.env.CI) console.warn('skipping systemd unit tests: systemd-analyze is not installed');
