// Waiting in a benchmark: polls with deadlines, and plain pauses between phases.

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `read` every `everyMs` until it returns something other than undefined; throws at the deadline. */
export async function waitFor(read, what, { timeoutMs = 20_000, everyMs = 5 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Like waitFor, but returns undefined at the deadline instead of throwing (a tool that never recovered). */
export async function waitUpTo(read, timeoutMs, everyMs = 5) {
  try {
    return await waitFor(read, '', { timeoutMs, everyMs });
  } catch {
    return undefined;
  }
}
