// `medic run`: the long-running daemon. SIGTERM/SIGINT stop it cleanly, SIGHUP reloads the rules.
import { Daemon, RulesInvalidError } from '../daemon/daemon.js';
import { createLogger } from '../daemon/logger.js';
import { rulesPath, statePath, type PathOptions } from './paths.js';

export interface RunOptions extends PathOptions {
  logJson?: boolean;
}

export async function runDaemon(options: RunOptions): Promise<number> {
  const logger = createLogger({ json: options.logJson ?? false });
  // Handlers go in first: a signal that arrives while medic starts must not kill it outright.
  let daemon: Daemon | undefined;
  let stopRequested: string | undefined;
  let resolveStop: (signal: string) => void = (signal) => (stopRequested = signal);
  process.once('SIGTERM', () => resolveStop('SIGTERM'));
  process.once('SIGINT', () => resolveStop('SIGINT'));
  process.on('SIGHUP', () => {
    logger.info('received SIGHUP: reloading rules');
    if (daemon) void daemon.reload();
    else logger.warn('still starting; the rules being loaded are the current ones');
  });

  try {
    daemon = await Daemon.start({ rulesPath: rulesPath(options), stateDir: statePath(options), logger });
  } catch (error) {
    if (error instanceof RulesInvalidError) {
      for (const message of error.messages) logger.error(message);
      logger.error(`medic not started: ${error.messages.length} error(s) in the rules`);
    } else {
      logger.error(`medic not started: ${error instanceof Error ? error.message : String(error)}`);
    }
    return 1;
  }
  const signal = await new Promise<string>((resolve) => {
    if (stopRequested) resolve(stopRequested);
    resolveStop = resolve;
  });
  logger.info(`received ${signal}`);
  try {
    await daemon.stop();
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'stop failed');
    return 1;
  }
}
