export interface Finished<R> {
  id: string;
  result: R;
}

export interface ConcurrentRun<R> {
  /** Every task, in the order ready tasks should start. */
  order: string[];
  /** The tasks each task waits for, among `order` (others are taken as done). */
  dependencies: Record<string, string[]>;
  /** How many tasks run at the same time, at least one. */
  limit: number;
  run(id: string): Promise<R>;
  succeeded(result: R): boolean;
  /** The result of a task never started because a task it depends on failed. */
  skipped(id: string): R;
}

/**
 * Runs a graph of tasks as Nx does: a task starts once everything it depends on succeeded, at most
 * `limit` at a time, and each result is yielded as soon as it is known. A failure stops only what
 * depends on it (yielded as skipped, never run); independent tasks carry on.
 */
export async function* runConcurrently<R>(plan: ConcurrentRun<R>): AsyncGenerator<Finished<R>> {
  const inPlan = new Set(plan.order);
  const waitingFor = new Map(plan.order.map((id) => [id, (plan.dependencies[id] ?? []).filter((dep) => inPlan.has(dep)).length]));
  const dependents = dependentsOf(plan);
  const ready = plan.order.filter((id) => waitingFor.get(id) === 0);
  const running = new Map<string, Promise<Finished<R>>>();
  const skipped = new Set<string>();
  while (ready.length > 0 || running.size > 0) {
    while (ready.length > 0 && running.size < Math.max(1, plan.limit)) {
      const id = ready.shift()!;
      running.set(id, plan.run(id).then((result) => ({ id, result })));
    }
    const finished = await Promise.race(running.values());
    running.delete(finished.id);
    yield finished;
    if (plan.succeeded(finished.result)) {
      for (const dependent of dependents.get(finished.id) ?? []) {
        const left = waitingFor.get(dependent)! - 1;
        waitingFor.set(dependent, left);
        if (left === 0 && !skipped.has(dependent)) ready.push(dependent);
      }
    } else {
      for (const id of downstreamOf(finished.id, dependents)) {
        if (skipped.has(id)) continue;
        skipped.add(id);
        yield { id, result: plan.skipped(id) };
      }
    }
  }
}

function dependentsOf(plan: ConcurrentRun<unknown>): Map<string, string[]> {
  const dependents = new Map<string, string[]>();
  for (const id of plan.order) {
    for (const dep of plan.dependencies[id] ?? []) {
      if (!dependents.has(dep)) dependents.set(dep, []);
      dependents.get(dep)!.push(id);
    }
  }
  return dependents;
}

/** Everything that depends on `id`, directly or not, upstream first. */
function downstreamOf(id: string, dependents: Map<string, string[]>): string[] {
  const found: string[] = [];
  const seen = new Set<string>([id]);
  const queue = [id];
  while (queue.length > 0) {
    for (const dependent of dependents.get(queue.shift()!) ?? []) {
      if (seen.has(dependent)) continue;
      seen.add(dependent);
      found.push(dependent);
      queue.push(dependent);
    }
  }
  return found;
}
