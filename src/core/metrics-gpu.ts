// Catalogue entries for NVIDIA GPUs, read through `nvidia-smi --query-gpu`. `gpu` has one member
// per GPU index (gpu.0.util_pct); the index -> uuid/name table travels beside the sample, because
// indexes are what operators type in rules and uuids are what survive a re-cabling.
import type { MetricFamily } from './metrics.js';

export const GPU_FAMILY: MetricFamily = {
  label: 'gpu',
  fields: {
    up: { unit: 'bool', help: '1 when this GPU answered the last nvidia-smi query; 0 when a GPU seen before is missing or nvidia-smi failed' },
    util_pct: { unit: 'percent', help: 'utilization.gpu: time a kernel was running over the last sample period (unknown under MIG)' },
    mem_util_pct: { unit: 'percent', help: 'utilization.memory: time device memory was read or written (unknown under MIG)' },
    memory_used: { unit: 'bytes', help: 'memory.used: device memory allocated by active contexts' },
    memory_total: { unit: 'bytes', help: 'memory.total: installed device memory' },
    memory_used_pct: { unit: 'percent', help: 'memory_used / memory_total' },
    temperature: { unit: 'celsius', help: 'temperature.gpu: core temperature' },
    memory_temperature: { unit: 'celsius', help: 'temperature.memory: HBM temperature (unknown on GDDR parts)' },
    power_draw: { unit: 'watts', help: 'power.draw: board power (1 s average on Ampere and newer)' },
    power_limit: { unit: 'watts', help: 'enforced.power.limit: the power ceiling the driver holds the board to' },
    throttle_thermal: { unit: 'bool', help: '1 when clocks are held down by HW thermal slowdown, SW thermal slowdown or HW slowdown' },
    throttle_power: { unit: 'bool', help: '1 when clocks are held down by the SW power cap or the HW power brake' },
    ecc_corrected_volatile: { unit: 'count', help: 'corrected ECC errors since the last driver load' },
    ecc_uncorrected_volatile: { unit: 'count', help: 'uncorrected ECC errors since the last driver load' },
    ecc_corrected_aggregate: { unit: 'count', help: 'corrected ECC errors over the GPU lifetime' },
    ecc_uncorrected_aggregate: { unit: 'count', help: 'uncorrected ECC errors over the GPU lifetime' },
    retired_pages_pending: { unit: 'bool', help: '1 when memory pages wait to be retired at the next reboot (pre-Ampere)' },
    remapped_rows_pending: { unit: 'bool', help: '1 when a memory row remap needs a GPU reset to finish (Ampere and newer)' },
    remapped_rows_failure: { unit: 'bool', help: '1 when a row remap has failed in the GPU lifetime: the GPU should be replaced' },
  },
};

export const NVIDIA_FAMILY: MetricFamily = {
  fields: {
    healthy: { unit: 'bool', help: '1 when nvidia-smi exited 0 and every GPU row parsed; 0 on a driver error, a timeout or an error value' },
    gpus: { unit: 'count', help: 'GPUs nvidia-smi reported' },
  },
};
