// Takes a number out of a JSON body by a dot path: `data.queue.depth`, `queues[0].size`,
// `queues.0.size`. Numeric strings ("42") count, since some stats endpoints quote them.

export type JsonPathResult = { ok: true; value: number } | { ok: false; reason: string };

export function splitJsonPath(path: string): string[] | null {
  const segments: string[] = [];
  for (const part of path.split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) return null;
    if (match[1]) segments.push(match[1]);
    for (const index of match[2]!.matchAll(/\[(\d+)\]/g)) segments.push(index[1]!);
    if (!match[1] && !match[2]) return null;
  }
  return segments.length > 0 ? segments : null;
}

export function readJsonNumber(body: unknown, path: string): JsonPathResult {
  const segments = splitJsonPath(path);
  if (!segments) return { ok: false, reason: `"${path}" is not a path like data.queue.depth or items[0].size` };
  let node: unknown = body;
  const walked: string[] = [];
  for (const segment of segments) {
    walked.push(segment);
    if (Array.isArray(node) && /^\d+$/.test(segment)) node = node[Number(segment)];
    else if (node !== null && typeof node === 'object' && Object.hasOwn(node, segment)) node = (node as Record<string, unknown>)[segment];
    else node = undefined;
    if (node === undefined) return { ok: false, reason: `${walked.join('.')} not found in the response` };
  }
  if (typeof node === 'number' && Number.isFinite(node)) return { ok: true, value: node };
  if (typeof node === 'string' && node.trim() !== '' && Number.isFinite(Number(node))) return { ok: true, value: Number(node) };
  return { ok: false, reason: `${path} is ${JSON.stringify(node)?.slice(0, 40) ?? String(node)}, not a number` };
}
