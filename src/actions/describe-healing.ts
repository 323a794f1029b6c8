// One line per healing action for logs and the journal:
// `clear_cache /var/cache/render (older than 7d, keep under 10GiB)`, `throttle render (level reduced, cpu 50%)`.
import { formatBytes, formatDuration } from '../core/durations.js';
import type { HealingActionSpec } from '../core/action-specs.js';
import { describeUrl } from './http-call.js';

export function describeHealingAction(action: HealingActionSpec, quote: (arg: string) => string): string {
  switch (action.type) {
    case 'clear_cache': {
      if (!('dir' in action)) {
        const via = action.command ? `command ${action.command.map(quote).join(' ')}` : `${action.http!.method} ${describeUrl(action.http!.url)}`;
        return `clear_cache ${action.worker} via ${via}`;
      }
      const how = [
        action.olderThanMs !== undefined ? `older than ${formatDuration(action.olderThanMs)}` : null,
        action.targetSizeBytes !== undefined ? `keep under ${formatBytes(action.targetSizeBytes)}` : null,
        action.targetDiskUsedPct !== undefined ? `disk under ${action.targetDiskUsedPct}%` : null,
      ].filter((part) => part !== null);
      return `clear_cache ${quote(action.dir)} (${how.join(', ')})`;
    }
    case 'archive_files': {
      const how = [action.match ?? null, action.olderThanMs !== undefined ? `older than ${formatDuration(action.olderThanMs)}` : null, action.targetSizeBytes !== undefined ? `keep under ${formatBytes(action.targetSizeBytes)}` : null].filter((part) => part !== null);
      return `archive_files ${quote(action.dir)} -> ${quote(action.dest)}${how.length > 0 ? ` (${how.join(', ')})` : ''}`;
    }
    case 'throttle': {
      const how = [action.level !== undefined ? `level ${action.level}` : null, action.cpuQuotaPct !== undefined ? `cpu ${action.cpuQuotaPct}%` : null, action.pause ? 'pause' : null].filter((part) => part !== null);
      return `throttle ${action.worker} (${how.join(', ')})`;
    }
    case 'scale_out':
    case 'scale_in': {
      const sign = action.type === 'scale_out' ? '+' : '-';
      if (action.worker !== undefined) return `${action.type} ${action.worker} ${sign}${action.step}`;
      const fleet = action.fleet;
      const via = fleet.command ? fleet.command.map(quote).join(' ') : `${fleet.http!.method} ${describeUrl(fleet.http!.url)}`;
      return `${action.type} ${sign}${action.step} (${fleet.min}..${fleet.max}) via ${via}`;
    }
  }
}
