// Where things are: the repository, the built CLI, the worker fixtures both tools run.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The built CLI; BENCH_MEDIC_CLI points at another build (to compare two versions of medic). */
export const MEDIC_CLI = path.resolve(process.env.BENCH_MEDIC_CLI ?? path.join(REPO, 'dist', 'cli', 'main.js'));
export const WORKERS_DIR = path.join(REPO, 'test', 'fixtures', 'workers');
export const SUBREAPER = path.join(REPO, 'bench', 'compare', 'subreaper.py');
export const NODE = process.execPath;
