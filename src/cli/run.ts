// `medic run`: the long-running daemon. SIGTERM/SIGINT stop it cleanly, SIGHUP reloads the rules.
import { Daemon, RulesInvalidError } from '../daemon/daemon.js';
import { createLogger } from '../daemon/logger.js';
import { rulesPath, statePath, type PathOptions } from './paths.js';

export interface RunOptions extends PathOptions {
  logJson?: boolean;
  /** Shadow mode for every rule: journal what would be done, do nothing. */
  dryRun?: boolean;
}

export async function runDaemon(options: RunOptions): Promise<number> {
  const logger = createLogger({ json: options.logJson ?? false });
  // Handlers go in first: a signal that arrives while medic starts must not kill it outright.
  let daemon: Daemon | undefined;
  let stopRequested: string | undefined;
  // A SIGHUP during start-up may name rules newer than the ones being loaded: reload once started.
  let reloadWhenStarted = false;
  let resolveStop: (signal: string) => void = (signal) => (stopRequested = signal);
  process.once('SIGTERM', () => resolveStop('SIGTERM'));
  process.once('SIGINT', () => resolveStop('SIGINT'));
  process.on('SIGHUP', () => {
    logger.info('received SIGHUP: reloading rules');
    if (daemon) void daemon.reload();
    else reloadWhenStarted = true;
  });

  try {
    daemon = await Daemon.start({ rulesPath: rulesPath(options), stateDir: statePath(options), logger, ...(options.dryRun ? { dryRun: true } : {}) });
    if (reloadWhenStarted) void daemon.reload();
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
