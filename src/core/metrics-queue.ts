// The `queue` metric family: one member per named queue (`queue.jobs.depth`). Which fields a
// queue has depends on its source; src/samplers/queue/queue-fields.ts says which.
import type { MetricFamily } from './metrics.js';

export const QUEUE_FAMILY: MetricFamily = {
  label: 'queue',
  fields: {
    depth: {
      unit: 'count',
      help: 'items waiting to be taken: list/zset length, stream length (XLEN), BullMQ waiting + delayed + waiting-children, RabbitMQ ready messages, the HTTP/command number, spool files',
    },
    oldest_age: { unit: 'seconds', help: 'seconds since the oldest waiting item was added (0 when none waits): Redis stream (first entry; with a group, the oldest not yet acknowledged), BullMQ, spool (oldest mtime)' },
    growth_per_s: { unit: 'per_second', help: 'change of depth per second over the rate window (negative while draining); unknown until samples span a tenth of the window' },
    ready: { unit: 'count', help: 'RabbitMQ: messages ready for delivery' },
    unacked: { unit: 'count', help: 'RabbitMQ: messages delivered but not yet acknowledged (needs management_url)' },
    consumers: { unit: 'count', help: 'RabbitMQ: consumers attached to the queue' },
    pending: { unit: 'count', help: 'Redis stream: entries delivered to the consumer group but not acknowledged (XPENDING)' },
    waiting: { unit: 'count', help: 'BullMQ: jobs in wait, paused and prioritized' },
    active: { unit: 'count', help: 'BullMQ: jobs being processed' },
    delayed: { unit: 'count', help: 'BullMQ: delayed jobs' },
    failed: { unit: 'count', help: 'BullMQ: failed jobs kept in the failed set' },
    up: { unit: 'bool', help: '1 when the source answered the last read (a missing RabbitMQ queue still counts as answered)' },
  },
};
