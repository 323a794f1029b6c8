// The one way tests wait for something: poll with a deadline, and fail at the deadline, so a test
// cannot pass without the thing it waits for. Never a bare sleep.

/** Not there yet: `read` gives undefined or false. */
type NotYet = undefined | false;

/**
 * Polls `read` (sync or async) until it gives something other than undefined or false, and
 * returns that; throws at the deadline. `what` names what is awaited in the error; a function is
 * called only then, so it can describe the last thing seen.
 */
export async function eventually<T>(read: () => T | NotYet | Promise<T | NotYet>, what: string | (() => string), timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
