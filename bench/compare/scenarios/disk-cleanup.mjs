// Which cleanup medic runs in the disk scenario: its own clear_cache step when this build of
// medic accepts it, else `exec` of the same script Monit runs. Decided by `medic validate`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NODE } from '../lib/paths.mjs';
import { medicArgv } from '../lib/tools/medic.mjs';

export function describeMedicCleanup(scratch, script) {
  const dir = path.join(scratch, 'clear-cache-probe');
  const cache = path.join(dir, 'cache');
  mkdirSync(cache, { recursive: true });
  const clearCache = (target) => `clear_cache: { dir: ${JSON.stringify(target)}, older_than: 1ms, min_age: 0s }`;
  writeFileSync(path.join(dir, 'rules.yaml'), `rules:\n  - name: probe\n    when: disk[${cache}].used_pct > 50%\n    do: [${clearCache(cache)}]\n`);
  const check = spawnSync(NODE, medicArgv('validate', path.join(dir, 'rules.yaml')), { encoding: 'utf8' });
  if (check.status === 0) return { label: '`clear_cache: { dir, older_than: 1ms, min_age: 0s }`', step: (target) => clearCache(target) };
  return {
    label: '`exec cleanup-cache.sh` (this build of medic has no clear_cache step)',
    step: (target, log) => `exec: ${JSON.stringify(['/bin/bash', script, target, log])}`,
  };
}
