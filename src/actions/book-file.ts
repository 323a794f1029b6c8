// Where a healing book (throttles in force, scaling grants) keeps its state across medic restarts:
// one JSON file, replaced atomically (0600) at each save, and the book's operations run one at a
// time, so two rules acting at once never interleave their read-change-save.
import { readJsonFile, writeFileAtomic } from '../os/atomic-write.js';

export class BookFile {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string) {}

  /** The saved state, or undefined when there is none yet; the book checks its shape. */
  read(): Promise<unknown> {
    return readJsonFile(this.file);
  }

  save(state: unknown): Promise<void> {
    return writeFileAtomic(this.file, `${JSON.stringify(state, null, 2)}\n`, 0o600);
  }

  /** Runs `operation` after every operation queued before it, whether those succeeded or not. */
  serial<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation, operation);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
