#!/usr/bin/env -S node --max-semi-space-size=1
// The `medic` command line. The shebang caps V8's young generation at 1 MiB per semi-space: it
// otherwise grows to 16 MiB while medic starts, about 10 MiB of peak RSS (README "Cost"). On the
// command line, not in NODE_OPTIONS, so the workers medic starts do not inherit it.
import { Command, Option } from 'commander';
import { diagnose, exitCodeOf, renderDiagnosis } from './diagnose.js';
import { showHistory } from './history.js';
import { showMetrics } from './metrics.js';
import { pauseRules, resumeRules } from './pause.js';
import { testRules } from './rule-tests.js';
import { rulesPath } from './paths.js';
import { runDaemon } from './run.js';
import { validateRules } from './validate.js';

// A reader that stops early (`medic history | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

const rulesOption = () => new Option('--rules <path>', 'rules file or folder (default: $MEDIC_RULES or /etc/medic)');
const stateOption = () => new Option('--state <dir>', 'state folder holding the journal (default: $MEDIC_STATE_DIR or /var/lib/medic)');

const program = new Command('medic')
  .description('A self-healing supervisor for Linux worker hosts')
  .showHelpAfterError();

program
  .command('run')
  .description('run the daemon: sample, evaluate rules, act, journal, page')
  .addOption(rulesOption())
  .addOption(stateOption())
  .option('--log-json', 'log JSON lines instead of readable text')
  .option('--dry-run', 'shadow mode: run the whole engine, journal every decision as "would have", execute nothing')
  .action(async (options) => {
    process.exitCode = await runDaemon(options);
  });

program
  .command('pause')
  .description('stop rules from acting (and hold their pages) for a while; they keep observing and journaling')
  .argument('[rules...]', 'rule names (see medic diagnose)')
  .option('--all', 'every rule')
  .requiredOption('--for <duration>', 'how long, e.g. 2h or 30m')
  .requiredOption('--reason <text>', 'why, for the journal and medic diagnose')
  .addOption(rulesOption())
  .addOption(stateOption())
  .action((rules: string[], options) => {
    process.exitCode = pauseRules(rules, options, out, err);
  });

program
  .command('resume')
  .description('end a pause before its time')
  .argument('[rules...]', 'rule names')
  .option('--all', 'every rule')
  .addOption(rulesOption())
  .addOption(stateOption())
  .action((rules: string[], options) => {
    process.exitCode = resumeRules(rules, options, out, err);
  });

program
  .command('test')
  .description('rule unit tests: replay metric series from test files through the engine and check what medic does (exit 1 on failure)')
  .argument('<rules>', 'rules file or folder')
  .argument('<testfiles...>', 'test files (YAML; see README "Testing rules")')
  .action((rules: string, files: string[]) => {
    process.exitCode = testRules(rules, files, out);
  });

program
  .command('validate')
  .description('check a rules file or folder; every error with file:line:column')
  .argument('[path]', 'rules file or folder (default: $MEDIC_RULES or /etc/medic)')
  .action((path: string | undefined) => {
    process.exitCode = validateRules(path ?? rulesPath({}), out, err);
  });

program
  .command('diagnose')
  .description('what is wrong on this host now and what medic would do (exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)')
  .addOption(rulesOption())
  .addOption(stateOption())
  .option('--json', 'machine-readable output')
  .action(async (options) => {
    const result = await diagnose(options);
    if (options.json) out(JSON.stringify(result, null, 2));
    else renderDiagnosis(result).forEach(out);
    process.exitCode = exitCodeOf(result);
  });

program
  .command('metrics')
  .description('every metric on this host now, with value, unit and source (GPU and queues included when configured)')
  .addOption(rulesOption())
  .addOption(stateOption())
  .option('--json', 'machine-readable output')
  .option('--catalogue', 'print the catalogue of every metric medic knows (Markdown) instead of sampling')
  .action(async (options) => {
    process.exitCode = await showMetrics(options, out, err);
  });

program
  .command('history')
  .description('incidents, actions and decisions from the journal, newest first')
  .addOption(stateOption())
  .option('--since <duration>', 'only entries newer than this, e.g. 1h')
  .option('--rule <name>', 'only this rule')
  .option('--incident <id>', 'everything about one incident')
  .option('--limit <n>', 'at most this many entries', '200')
  .option('--json', 'machine-readable output')
  .action((options) => {
    process.exitCode = showHistory(options, out, err);
  });

await program.parseAsync(process.argv);
