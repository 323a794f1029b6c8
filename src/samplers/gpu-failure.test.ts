import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyNvidiaSmiFailure } from './gpu-failure.js';

const dir = fileURLToPath(new URL('../../test/fixtures/nvidia-smi/', import.meta.url));
const read = (name: string) => readFileSync(dir + name, 'utf8');
const firstLine = (text: string) => text.split('\n')[0]!;

describe('classifyNvidiaSmiFailure', () => {
  it.each([
    // capture, exit code as recorded in the fixtures README, expected kind
    ['err-driver-not-loaded.txt', 9, 'driver not loaded'],
    ['err-nvml-driver-library-mismatch-535.161.txt', 18, 'driver/library version mismatch'],
    ['err-device-handle-unknown-error-legacy.txt', 0, 'GPU unreachable'],
    ['err-topo-m-missing-value-win-591.86.txt', 255, 'nvidia-smi internal error'],
  ])('%s (exit %i) -> %s, with the first line of the message', (file, exitCode, kind) => {
    const output = read(file);
    expect(classifyNvidiaSmiFailure(exitCode, output, false)).toBe(`${kind} (nvidia-smi exit ${exitCode}): ${firstLine(output)}`);
  });

  it('names the driver error the way the lead will read it', () => {
    expect(classifyNvidiaSmiFailure(9, read('err-driver-not-loaded.txt'), false)).toBe(
      "driver not loaded (nvidia-smi exit 9): NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
    );
  });

  it('falls back to the exit code when the text is unfamiliar', () => {
    expect(classifyNvidiaSmiFailure(15, 'something new\n', false)).toBe('GPU fell off the bus (nvidia-smi exit 15): something new');
    expect(classifyNvidiaSmiFailure(42, '', false)).toBe('nvidia-smi failed (nvidia-smi exit 42, no output)');
    expect(classifyNvidiaSmiFailure(null, '', false)).toBe('nvidia-smi failed (nvidia-smi killed by a signal, no output)');
  });

  it('reports a timeout with its limit', () => {
    expect(classifyNvidiaSmiFailure(null, '', true, 5000)).toBe('nvidia-smi timed out after 5000 ms');
    expect(classifyNvidiaSmiFailure(null, '', true)).toBe('nvidia-smi timed out');
  });

  it('cuts a very long first line', () => {
    const reason = classifyNvidiaSmiFailure(2, 'x'.repeat(1000), false);
    expect(reason.length).toBeLessThan(400);
    expect(reason.endsWith('...')).toBe(true);
  });
});
