// node-cron, loaded the first time a rule with `schedule:` needs it instead of when medic starts:
// most configs schedule nothing. Synchronous (its CommonJS build, through require) because a cron
// expression is checked inside a synchronous zod transform. Every user of node-cron goes through
// here, so one copy is loaded and its task registry is shared.
import { createRequire } from 'node:module';

type NodeCron = typeof import('node-cron');

let nodeCron: NodeCron | undefined;

export function loadNodeCron(): NodeCron {
  return (nodeCron ??= createRequire(import.meta.url)('node-cron') as NodeCron);
}
