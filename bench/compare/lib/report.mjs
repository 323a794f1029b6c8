// Renders BENCHMARKS.md from one run's results. Every number comes from the run; the text around
// them is fixed.
import { checkGoals, valuesOf } from './goals.mjs';
import { formatRatio, formatSummary, summarize } from './stats.mjs';

const TOOLS = ['medic', 'monit'];
const TOOL_NAMES = { medic: 'medic', monit: 'Monit' };

export function renderReport(run) {
  const { settings, machine, medic, monit, sections, faults } = run;
  const lines = [
    '# Benchmarks: medic next to Monit',
    '',
    `Written by \`bench/compare/run.mjs\` on ${new Date(run.startedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC; every number below`,
    'was measured by that run. Do not edit the numbers by hand: re-run (see the end).',
    '',
    '## Machine, versions, settings',
    '',
    '| | |',
    '|---|---|',
    `| machine | ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB, ${machine.virtualization}; ${machine.os}, Linux ${machine.kernel} |`,
    `| load (1-min average) | ${run.loadBefore.toFixed(2)} at the start, ${run.loadAfter.toFixed(2)} at the end: other work on the machine shows in every number |`,
    `| medic | ${medic.version}, \`node ${[...medic.nodeArgs, run.medicCli].join(' ')}\` (the flags of its shebang, as installed), Node ${machine.node} |`,
    `| Monit | ${monit.missing ? `not measured: ${monit.missing}` : `${monit.version} (Debian package), \`monit -I\` under \`bench/compare/subreaper.py\` (${machine.python})`} |`,
    `| settings | BENCH_RUNS=${settings.runs}, BENCH_STORM_SECONDS=${settings.stormSeconds}, BENCH_SECONDS=${settings.overheadSeconds}, workers ${settings.overheadWorkers.join(' and ')}, intervals ${settings.overheadIntervalsS.map((s) => `${s} s`).join(' and ')} |`,
    `| scenarios | ${sections.map((s) => s.scenario.id).join(', ')} (${((run.finishedAt - run.startedAt) / 60_000).toFixed(1)} min) |`,
    '',
    'Each tool runs alone, on a fresh folder per run; the two alternate run by run. Both run the same',
    'worker programs (`test/fixtures/workers/*.mjs`) with the same thresholds, started through',
    'launchers that log every start with a microsecond timestamp (`bench/compare/lib/workers.mjs`):',
    'medic starts a worker as its own child; Monit runs a start program that backgrounds it. Cells',
    'read min / **median** / max (n = samples); the last column is Monit\'s median over medic\'s: for times,',
    'CPU and memory, above 1 means medic needed less.',
    '',
  ];
  const goals = checkGoals(sections);
  if (goals.length > 0) {
    lines.push('## Goals', '', '| goal | this run | met |', '|---|---|---|');
    for (const g of goals) lines.push(`| ${g.goal} | ${g.result} | ${g.met === null ? '–' : g.met ? 'yes' : '**no**'} |`);
    lines.push('');
  }
  for (const section of sections) lines.push(...renderSection(section, run));
  if (faults) lines.push(...renderFaults(faults));
  lines.push(...renderRerun());
  return `${lines.join('\n')}\n`;
}

function renderSection({ scenario, result, error, seconds, load }, run) {
  const lines = [`## ${scenario.title}`, '', ...scenario.setup, ''];
  if (error) return [...lines, `Not measured: the scenario failed: ${error}`, ''];
  if (result.skipped) return [...lines, `Not measured: ${result.skipped}`, ''];
  const tools = TOOLS.filter((t) => t === 'medic' || !run.monit.missing);
  lines.push(`| measure | ${tools.map((t) => TOOL_NAMES[t]).join(' | ')} | Monit ÷ medic |`, `|---|${tools.map(() => '---|').join('')}---|`);
  for (const m of result.measures) {
    const stats = Object.fromEntries(tools.map((t) => [t, summarize(valuesOf(m, t))]));
    const ratio = m.unit === 'count' || run.monit.missing ? '–' : formatRatio(stats.medic, stats.monit);
    lines.push(`| ${m.label} | ${tools.map((t) => formatSummary(stats[t], m.unit) + missed(m, t)).join(' | ')} | ${ratio} |`);
  }
  lines.push('');
  for (const note of result.notes ?? []) lines.push(`- ${note}`);
  lines.push(`- took ${seconds.toFixed(0)} s; load average ${load.before.toFixed(2)} → ${load.after.toFixed(2)}.`, '');
  return lines;
}

/** Runs where the tool never got there within the deadline are said, not dropped silently. */
function missed(measure, tool) {
  const count = valuesOf(measure, tool).filter((v) => v === null).length;
  return count > 0 ? ` (${count} run(s) never got there)` : '';
}

function renderFaults(faults) {
  const lines = ['## Faults', '', 'The fault-injection suite (`npx vitest run test/faults`), run by the harness; each test\'s name says what medic did.', ''];
  if (faults.error) return [...lines, `Not run: ${faults.error}`, ''];
  // `it.fails` tests document a known gap: they pass while medic still fails the check.
  const known = (t) => /KNOWN (GAP|BUG)/.test(t.name);
  const outcome = (t) => (known(t) ? (t.status === 'passed' ? '**known gap**: still fails, as expected' : 'gap fixed? (the check now passes)') : t.status);
  const passed = faults.tests.filter((t) => t.status === 'passed' && !known(t)).length;
  const gaps = faults.tests.filter((t) => known(t)).length;
  lines.push(`${passed} of ${faults.tests.length - gaps} checks passed, ${gaps} known gap(s) documented, in ${faults.seconds.toFixed(0)} s.`, '', '| fault | outcome | time |', '|---|---|---|');
  for (const test of faults.tests) lines.push(`| ${test.name.replaceAll('|', '\\|')} (\`${test.file}\`) | ${outcome(test)} | ${Math.round(test.ms)} ms |`);
  return [...lines, ''];
}

function renderRerun() {
  return [
    '## How to re-run',
    '',
    '```sh',
    'npm run build',
    'node bench/compare/run.mjs                  # every scenario, then the fault suite; writes BENCHMARKS.md',
    'node bench/compare/run.mjs crash leak       # some scenarios (the file then holds only those)',
    'BENCH_RUNS=3 BENCH_SECONDS=30 BENCH_STORM_SECONDS=40 node bench/compare/run.mjs   # shorter',
    '```',
    '',
    'Monit comes from Debian (`apt-get install -y monit`; `BENCH_INSTALL_MONIT=1` lets the harness do it);',
    'without it the Monit columns are skipped with the reason. The disk scenario mounts a tmpfs and needs',
    'root. `BENCH_KEEP=1` keeps the generated configs and logs; `BENCH_OUT` writes the report elsewhere;',
    '`BENCH_FAULTS=0` leaves the fault suite out; `BENCH_MEDIC_CLI` measures another build of medic.',
    '',
  ];
}
