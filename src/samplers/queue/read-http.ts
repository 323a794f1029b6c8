// A queue whose depth a JSON endpoint reports: GET the URL, take the number at `path`. A non-2xx
// status or a refused/timed-out request means the source did not answer; a body without the
// number means it answered without one.
import { getJson } from './get-json.js';
import { readJsonNumber } from './json-path.js';
import { answered, down, type QueueReading } from './reading.js';
import { redactSecrets } from './redact-url.js';
import type { HttpSource } from './spec.js';

export async function readHttpQueue(source: HttpSource, timeoutMs: number): Promise<QueueReading> {
  const response = await getJson(source.url, timeoutMs);
  if (response.kind === 'failed') return down(redactSecrets(response.reason, source.url));
  if (response.status < 200 || response.status > 299) return down(`HTTP ${response.status}`);
  if (response.kind === 'not-json') return answered({}, { depth: 'response is not JSON' });
  const found = readJsonNumber(response.body, source.path);
  return found.ok ? answered({ depth: found.value }) : answered({}, { depth: found.reason });
}
