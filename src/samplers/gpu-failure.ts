// Turns a failed nvidia-smi run into one line for `unknown` and the journal. nvidia-smi writes its
// errors to stdout and signals failure with the exit code, which is the NVML return code
// (9 NVML_ERROR_DRIVER_NOT_LOADED, 18 NVML_ERROR_LIB_RM_VERSION_MISMATCH, ...). The text is
// checked first because it is more specific than the code (a lost GPU has been seen exiting 0).

// Exit codes from nvidia-smi(1) RETURN VALUE, plus 18 from the captured version mismatch.
const EXIT_CODES: Readonly<Record<number, string>> = {
  2: 'invalid argument',
  3: 'not supported on this device',
  4: 'permission denied',
  6: 'no GPU found',
  8: 'external power cables not attached',
  9: 'driver not loaded',
  10: 'GPU interrupt issue',
  12: 'NVML library not found',
  13: 'NVML function not implemented',
  14: 'infoROM corrupted',
  15: 'GPU fell off the bus',
  18: 'driver/library version mismatch',
  255: 'nvidia-smi internal error',
};

const TEXTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/couldn't communicate with the NVIDIA driver/i, 'driver not loaded'],
  [/Driver\/library version mismatch/i, 'driver/library version mismatch'],
  [/Unable to determine the device handle/i, 'GPU unreachable'],
  [/GPU is lost|fallen off the bus/i, 'GPU fell off the bus'],
  [/No devices were found/i, 'no GPU found'],
  [/is not a valid field to query/i, 'field rejected'],
  [/Insufficient Permissions/i, 'permission denied'],
];

const MAX_LINE = 300;

/**
 * `driver not loaded (nvidia-smi exit 9): NVIDIA-SMI has failed because it couldn't communicate
 * with the NVIDIA driver. ...`, or `nvidia-smi timed out after 5000 ms`.
 */
export function classifyNvidiaSmiFailure(exitCode: number | null, output: string, timedOut: boolean, timeoutMs?: number): string {
  if (timedOut) return timeoutMs === undefined ? 'nvidia-smi timed out' : `nvidia-smi timed out after ${timeoutMs} ms`;
  const kind = TEXTS.find(([pattern]) => pattern.test(output))?.[1] ?? (exitCode === null ? undefined : EXIT_CODES[exitCode]) ?? 'nvidia-smi failed';
  const exit = exitCode === null ? 'nvidia-smi killed by a signal' : `nvidia-smi exit ${exitCode}`;
  const line = firstLine(output);
  return line === '' ? `${kind} (${exit}, no output)` : `${kind} (${exit}): ${line}`;
}

function firstLine(output: string): string {
  const line = output.split(/\r?\n/).find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}...` : line;
}
