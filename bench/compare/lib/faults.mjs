// The fault suite's outcome for the report: runs vitest on test/faults with its JSON reporter and
// keeps, per test, its name, result and time. The tests' names say what medic did.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './paths.mjs';

export function runFaultSuite(log = console.log) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'medic-faults-'));
  const file = path.join(dir, 'faults.json');
  log('== fault suite: npx vitest run test/faults');
  const t0 = Date.now();
  const result = spawnSync('npx', ['vitest', 'run', 'test/faults', '--reporter=json', `--outputFile=${file}`], { cwd: REPO, encoding: 'utf8', timeout: 600_000 });
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    const tests = report.testResults.flatMap((suite) =>
      suite.assertionResults.map((test) => ({
        file: path.relative(REPO, suite.name),
        name: [...test.ancestorTitles, test.title].join(' › '),
        status: test.status,
        ms: test.duration ?? 0,
      })),
    );
    return { ok: result.status === 0, seconds: (Date.now() - t0) / 1000, tests };
  } catch (error) {
    return { ok: false, seconds: (Date.now() - t0) / 1000, tests: [], error: `no JSON report (${error.message}); vitest said: ${(result.stderr || result.stdout || '').slice(-500)}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
