// A temporary copy of the bundled rules (rules/) laid out as in the repository, so that their
// relative paths (../examples/demo-worker.mjs, ../.medic-state/...) still resolve, with the
// settings a scenario asks for written into the one file that holds `settings:`.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { REPO } from './medic.mjs';

/**
 * Returns { dir, rulesDir, stateDir, addFile(name, text), removeFile(name), setSettings(patch), remove() }.
 * `stateDir` is `.medic-state` beside `rules/`, as `npm start` uses it.
 */
export function copyBundledRules(prefix = 'medic-bench-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const rulesDir = join(dir, 'rules');
  cpSync(join(REPO, 'rules'), rulesDir, { recursive: true });
  symlinkSync(join(REPO, 'examples'), join(dir, 'examples'));
  const files = readdirSync(rulesDir).filter((name) => /\.ya?ml$/.test(name)).sort();
  const settingsFile = join(rulesDir, files.find((name) => /^settings:/m.test(readFileSync(join(rulesDir, name), 'utf8'))) ?? files[0]);
  return {
    dir,
    rulesDir,
    stateDir: join(dir, '.medic-state'),
    addFile(name, text) {
      writeFileSync(join(rulesDir, name), text);
    },
    removeFile(name) {
      rmSync(join(rulesDir, name), { force: true });
    },
    /** Sets keys under `settings:` (e.g. { interval: '5s' }; null removes one); comments and the rest stay. */
    setSettings(patch) {
      const doc = parseDocument(readFileSync(settingsFile, 'utf8'));
      for (const [key, value] of Object.entries(patch)) {
        if (value === null) doc.deleteIn(['settings', key]);
        else doc.setIn(['settings', key], doc.createNode(value));
      }
      writeFileSync(settingsFile, doc.toString());
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
