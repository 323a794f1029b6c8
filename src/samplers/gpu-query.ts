// Which `--query-gpu` fields medic asks for, and how the list shrinks on an older driver.
// nvidia-smi rejects the whole query when one field is unknown to it
// (`Field "remapped_rows.pending" is not a valid field to query.`, exit 2), so fields come in
// groups: a rejected field moves its group to the next naming variant, or drops the group.
// The plan is a value; the sampler keeps the last one, so the retry happens once per process.

export interface QueryGroup {
  id: string;
  /** Field lists tried in order; all variants of a group have the same length and meaning. */
  variants: readonly (readonly string[])[];
  /** A required group cannot be dropped: without it a row cannot be labelled. */
  required?: true;
}

const REASONS = ['hw_thermal_slowdown', 'sw_thermal_slowdown', 'hw_slowdown', 'sw_power_cap', 'hw_power_brake_slowdown'];

export const GPU_QUERY_GROUPS: readonly QueryGroup[] = [
  { id: 'identity', variants: [['index', 'uuid', 'name']], required: true },
  { id: 'utilization', variants: [['utilization.gpu', 'utilization.memory']] },
  { id: 'memory', variants: [['memory.used', 'memory.total']] },
  { id: 'temperature', variants: [['temperature.gpu']] },
  // HBM temperature; drivers before ~R450 do not know the field.
  { id: 'memory-temperature', variants: [['temperature.memory']] },
  { id: 'power', variants: [['power.draw', 'enforced.power.limit']] },
  // Renamed in R535; newer drivers still accept the old names as aliases (help-query-gpu-610.57.04).
  { id: 'clock-reasons', variants: [REASONS.map((r) => `clocks_event_reasons.${r}`), REASONS.map((r) => `clocks_throttle_reasons.${r}`)] },
  {
    id: 'ecc',
    variants: [['ecc.errors.corrected.volatile.total', 'ecc.errors.uncorrected.volatile.total', 'ecc.errors.corrected.aggregate.total', 'ecc.errors.uncorrected.aggregate.total']],
  },
  { id: 'retired-pages', variants: [['retired_pages.pending']] },
  // Ampere and newer; older drivers (e.g. 471.11) reject these fields.
  { id: 'remapped-rows', variants: [['remapped_rows.pending', 'remapped_rows.failure']] },
];

export interface QueryPlan {
  /** Variant in use per group id; a group not listed uses variant 0. */
  variants: ReadonlyMap<string, number>;
  /** Groups left out, with the reason, by group id. */
  dropped: ReadonlyMap<string, string>;
}

export const INITIAL_QUERY_PLAN: QueryPlan = { variants: new Map(), dropped: new Map() };

export function listQueryFields(plan: QueryPlan, groups: readonly QueryGroup[] = GPU_QUERY_GROUPS): string[] {
  return groups.filter((g) => !plan.dropped.has(g.id)).flatMap((g) => g.variants[plan.variants.get(g.id) ?? 0] ?? []);
}

/** The field nvidia-smi complained about, or null when the output is some other error. */
export function findRejectedField(output: string): string | null {
  return /Field "([^"]+)" is not a valid field to query/.exec(output)?.[1] ?? null;
}

/** The plan without `field`: its group's next variant, or the group dropped; null when it cannot shrink. */
export function rejectQueryField(plan: QueryPlan, field: string, groups: readonly QueryGroup[] = GPU_QUERY_GROUPS): QueryPlan | null {
  const group = groups.find((g) => !plan.dropped.has(g.id) && g.variants[plan.variants.get(g.id) ?? 0]?.includes(field));
  if (!group || group.required) return null;
  const next = (plan.variants.get(group.id) ?? 0) + 1;
  if (next < group.variants.length) return { variants: new Map(plan.variants).set(group.id, next), dropped: plan.dropped };
  const dropped = new Map(plan.dropped).set(group.id, `not queried: this nvidia-smi rejects the field "${field}"`);
  return { variants: plan.variants, dropped };
}

/** Every field name of the dropped groups (all variants), with the reason, for unknown metrics. */
export function listSkippedFields(plan: QueryPlan, groups: readonly QueryGroup[] = GPU_QUERY_GROUPS): Map<string, string> {
  const skipped = new Map<string, string>();
  for (const group of groups) {
    const reason = plan.dropped.get(group.id);
    if (reason !== undefined) for (const field of group.variants.flat()) skipped.set(field, reason);
  }
  return skipped;
}
