// Durations and sizes as operators write them in rules: `500ms`, `1.5s`, `1m30s`, `150MiB`, `2GB`.
// Pure functions; `null` means "not in this form" so callers can word their own error.

/** Milliseconds per duration unit. */
export const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Bytes per size unit: KiB..TiB are 1024-based, KB..TB 1000-based. */
export const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
  TB: 1000 ** 4,
};

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
const SIZE = /^(\d+(?:\.\d+)?)([A-Za-z]+)$/;

/** `30s` -> 30000. Accepts Go-style compounds (`1m30s`, which formatDuration writes); no spaces, no bare numbers. */
export function parseDuration(text: string): number | null {
  const source = text.trim();
  if (source === '') return null;
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < source.length) {
    const match = DURATION_PART.exec(source);
    if (!match) return null;
    total += Number(match[1]) * DURATION_UNITS[match[2]!]!;
  }
  return Math.round(total);
}

/** `150MiB` -> 157286400. A unit is required: a bare number is not a size here. */
export function parseSize(text: string): number | null {
  const match = SIZE.exec(text.trim());
  if (!match) return null;
  const factor = SIZE_UNITS[match[2]!];
  return factor === undefined ? null : Math.round(Number(match[1]) * factor);
}

const FORMAT_STEPS: Array<[string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
];

/** 90000 -> "1m30s", 500 -> "500ms", 1500 -> "1.5s"; the output parses back with parseDuration. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of FORMAT_STEPS) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  if (rest > 0) out += `${Number((rest / 1000).toFixed(3))}s`;
  return out;
}

const BYTE_STEPS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** 1610612736 -> "1.5GiB", 1000 -> "1000B": 1024-based, at most one decimal, for messages. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  if (bytes < 0) return `-${formatBytes(-bytes)}`;
  let value = bytes;
  let step = 0;
  while (value >= 1024 && step < BYTE_STEPS.length - 1) {
    value /= 1024;
    step += 1;
  }
  return `${Number(value.toFixed(1))}${BYTE_STEPS[step]}`;
}
