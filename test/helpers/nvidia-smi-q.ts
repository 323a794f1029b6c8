// A small reader for `nvidia-smi -q` text, kept for tests: it turns the real `-q` captures (the A10
// memory-fault capture with remapped rows pending, the 8x H100 throttle capture) into rows keyed by
// the CSV field names, so the production mapping, readGpuRow(), can be checked against them too.
// medic itself reads only the CSV query (one line per GPU, where `-q` prints ~200).
import { parseGpuCell, type GpuCell, type GpuCsvRow } from '../../src/samplers/gpu-parse.js';

const REASON_KEYS: Record<string, string> = {
  hw_thermal_slowdown: 'HW Thermal Slowdown',
  sw_thermal_slowdown: 'SW Thermal Slowdown',
  hw_slowdown: 'HW Slowdown',
  sw_power_cap: 'SW Power Cap',
  hw_power_brake_slowdown: 'HW Power Brake Slowdown',
};

/** CSV field -> `-q` paths (`Section/Key`) that hold it, newest wording first. */
const Q_PATHS: Record<string, string[]> = {
  name: ['Product Name'],
  uuid: ['GPU UUID'],
  'utilization.gpu': ['Utilization/Gpu'],
  'utilization.memory': ['Utilization/Memory'],
  'memory.used': ['FB Memory Usage/Used'],
  'memory.total': ['FB Memory Usage/Total'],
  'temperature.gpu': ['Temperature/GPU Current Temp'],
  'temperature.memory': ['Temperature/Memory Current Temp'],
  'power.draw': ['GPU Power Readings/Power Draw', 'GPU Power Readings/Average Power Draw', 'Power Readings/Power Draw'],
  'enforced.power.limit': ['GPU Power Readings/Current Power Limit', 'Power Readings/Enforced Power Limit'],
  'retired_pages.pending': ['Retired Pages/Pending Page Blacklist', 'Retired Pages/Pending Page Retirement', 'Retired Pages/Pending'],
  'remapped_rows.pending': ['Remapped Rows/Pending'],
  'remapped_rows.failure': ['Remapped Rows/Remapping Failure Occurred'],
  ...Object.fromEntries(
    Object.entries(REASON_KEYS).map(([field, key]) => [
      `clocks_event_reasons.${field}`,
      [`Clocks Event Reasons/${key}`, `Clocks Throttle Reasons/${key}`],
    ]),
  ),
};

const GPU_HEADER = /^GPU ([0-9A-Fa-f]+:[0-9A-Fa-f]+:[0-9A-Fa-f]+\.[0-9A-Fa-f])\s*$/;
const KEY_VALUE = /^( *)(\S.*?)\s+: ?(.*)$/;

/** One row per `GPU <bus id>` block, in order; `index` is the block's position. */
export function parseNvidiaSmiQ(text: string): GpuCsvRow[] {
  const blocks: Array<{ line: number; bus: string; entries: Map<string, string> }> = [];
  let stack: Array<{ indent: number; name: string }> = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    const header = GPU_HEADER.exec(line);
    if (header) {
      blocks.push({ line: i + 1, bus: header[1]!, entries: new Map() });
      stack = [];
      continue;
    }
    const block = blocks.at(-1);
    if (!block || line.trim() === '') continue;
    const indent = line.length - line.trimStart().length;
    while (stack.length > 0 && stack.at(-1)!.indent >= indent) stack.pop();
    const pair = KEY_VALUE.exec(line);
    const path = (key: string) => [...stack.map((s) => s.name), key].join('/');
    if (pair) block.entries.set(path(pair[2]!), pair[3]!.trim());
    else stack.push({ indent, name: line.trim() });
  }
  return blocks.map((block, index) => {
    const cells = new Map<string, GpuCell>([
      ['index', { kind: 'number', value: index, raw: String(index) }],
      ['pci.bus_id', { kind: 'text', value: block.bus }],
    ]);
    for (const [field, paths] of Object.entries(Q_PATHS)) {
      const raw = findEntry(block.entries, paths);
      if (raw !== undefined) cells.set(field, parseGpuCell(raw));
    }
    return { line: block.line, cells };
  });
}

// A section that is unsupported prints as one line (`Remapped Rows : N/A`): its value stands for every key in it.
function findEntry(entries: ReadonlyMap<string, string>, paths: string[]): string | undefined {
  for (const path of paths) {
    const value = entries.get(path);
    if (value !== undefined) return value;
  }
  for (const path of paths) {
    const section = path.includes('/') ? entries.get(path.slice(0, path.lastIndexOf('/'))) : undefined;
    if (section !== undefined) return section;
  }
  return undefined;
}
