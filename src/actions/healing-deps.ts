// What the throttle and scale actions need from the daemon: the books that remember what they
// did (so it can be undone) and how to reach a worker's processes.
import type { EnactDeps } from './throttle/enact.js';
import type { ThrottleBook } from './throttle/throttle-book.js';
import type { ReplicaSet } from './scale/replica-set.js';
import type { Scaler } from './scale/scaler.js';

export interface HealingDeps {
  throttles: ThrottleBook;
  scaler: Scaler;
  replicas: ReplicaSet;
  /** pidsOf, systemctl, cgroup options; timeoutMs is each action's own. */
  enact: EnactDeps;
}
