// Short reasons for `unknown`: `connect ECONNREFUSED 127.0.0.1:6379`, not a stack.

export function describeFailure(error: unknown): string {
  // Node tries each address of `localhost` and reports all failures in one AggregateError.
  if (error instanceof AggregateError && error.errors.length > 0) return describeFailure(error.errors[0]);
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.message;
  return String(error);
}
