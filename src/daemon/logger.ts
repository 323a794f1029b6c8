// One logger for the daemon and the CLI: readable single lines by default (an operator reads
// them in `journalctl -u medic` at 3 a.m.), JSON lines with --log-json for log shippers.
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';

// pino-pretty (~8 MiB of RSS) is required only for readable lines, never with --log-json.
type PinoPretty = typeof import('pino-pretty');
const loadPinoPretty = () => createRequire(import.meta.url)('pino-pretty') as PinoPretty;

export type { Logger };

export function createLogger(options: { json?: boolean; level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env.MEDIC_LOG_LEVEL ?? 'info';
  // Nothing will be written: no stream to pipe into stdout (tests make many of these).
  if (level === 'silent') return pino({ level });
  if (options.json) return pino({ level, base: undefined }, options.destination ?? process.stdout);
  const stream = loadPinoPretty()({
    colorize: Boolean((options.destination ?? process.stdout) === process.stdout && process.stdout.isTTY),
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    // Every line about a rule names it in its message; the field stays in --log-json output.
    ignore: 'pid,hostname,rule',
    destination: (options.destination ?? process.stdout) as never,
    sync: true,
  });
  return pino({ level, base: undefined }, stream);
}
