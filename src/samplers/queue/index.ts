// The queue-depth sampler's public surface, for the daemon and `validate`.
export { QueueSampler, type QueueLog, type QueueLogLevel, type QueueSample, type QueueSamplerOptions } from './queue-sampler.js';
export { listQueueFields, type QueueField } from './reading.js';
export { QueueSpecSchema, type QueueSource, type QueueSpec, type HttpSource, type RabbitMqSource, type RedisSource, type SpoolSource } from './spec.js';
