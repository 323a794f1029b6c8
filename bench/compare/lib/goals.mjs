// The goals, checked against a run's numbers. Each goal says what it compared, so a miss
// can be read (and investigated) from the report alone.
import { formatValue, summarize } from './stats.mjs';

const RSS_LIMIT_MIB = 80e6 / 2 ** 20; // 80 MB

export function checkGoals(sections) {
  const measures = sections.flatMap((s) => (s.result?.measures ?? []).map((m) => ({ ...m, scenario: s.scenario.id })));
  const find = (scenario, label) => measures.find((m) => m.scenario === scenario && m.label === label);
  const goals = [];

  const crash = find('crash', 'kill → new process started');
  if (crash) {
    const medic = summarize(valuesOf(crash, 'medic'));
    const monit = summarize(valuesOf(crash, 'monit'));
    const ratio = medic && monit ? monit.median / medic.median : null;
    goals.push({
      goal: 'crash → new process at least 10× faster than Monit (medians)',
      result: ratio === null ? 'no Monit numbers' : `${formatValue(medic.median, 'ms')} vs ${formatValue(monit.median, 'ms')}: ${ratio.toFixed(1)}×`,
      met: ratio === null ? null : ratio >= 10,
    });
  }
  for (const m of measures.filter((x) => x.goal === 'action')) {
    const worst = summarize(valuesOf(m, 'medic'));
    goals.push({
      goal: `${m.scenario}: threshold → action within one interval (1 s) + 50 ms, every run`,
      result: worst ? `slowest ${formatValue(worst.max, 'ms')} (median ${formatValue(worst.median, 'ms')}) for "${m.label}"` : 'no numbers',
      met: worst ? worst.max <= 1050 : null,
    });
  }
  for (const m of measures.filter((x) => x.label.includes('CPU seconds per hour'))) {
    const medic = summarize(valuesOf(m, 'medic'));
    const monit = summarize(valuesOf(m, 'monit'));
    goals.push({
      goal: `CPU per hour no higher than Monit's: ${m.label.split(':')[0]}`,
      result: medic && monit ? `${formatValue(medic.median, 's')} vs ${formatValue(monit.median, 's')} CPU s/h` : 'no Monit numbers',
      met: medic && monit ? medic.median <= monit.median : null,
    });
  }
  const rss = measures.filter((x) => x.goal === 'rss').map((m) => ({ m, s: summarize(valuesOf(m, 'medic')) })).filter((x) => x.s);
  if (rss.length > 0) {
    const worst = rss.reduce((a, b) => (b.s.max > a.s.max ? b : a));
    goals.push({
      goal: 'medic RSS under 80 MB (76.3 MiB), every configuration',
      result: `largest ${formatValue(worst.s.max, 'MiB')} (${worst.m.label.split(':')[0]})`,
      met: worst.s.max < RSS_LIMIT_MIB,
    });
  }
  return goals;
}

export function valuesOf(measure, tool) {
  const values = measure.values?.[tool];
  if (values === undefined || values === null) return [];
  return Array.isArray(values) ? values : [values];
}
