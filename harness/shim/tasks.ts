// In-flight asynchronous guest calls. Each task belongs to the generation it started in;
// when that generation dies, its tasks are failed at once instead of waiting on an instance
// that will never resume them.

/** What a task may use from the request that started it (e.g. Durable Object storage). */
export interface TaskContext {
  storage?: { put(key: string, value: number): Promise<unknown> };
}

export interface Task {
  readonly id: number;
  /** Generation the task runs in; 0 until its first poll is about to run. */
  generation: number;
  readonly context: TaskContext;
  readonly promise: Promise<string>;
  /** Run once when the task settles, e.g. to stop a park timer. */
  readonly cleanups: (() => void)[];
}

interface OpenTask extends Task {
  resolve(body: string): void;
  reject(error: unknown): void;
}

export class TaskTable {
  #nextTask = 1;
  #nextHandle = 1;
  readonly #open = new Map<number, OpenTask>();

  open(context: TaskContext): Task {
    // Not `new Promise`: see ParkingLot.park (another request may settle this one, e.g. an abort).
    const { promise, resolve, reject } = Promise.withResolvers<string>();
    const task: OpenTask = { id: this.#nextTask++, generation: 0, context, promise, cleanups: [], resolve, reject };
    this.#open.set(task.id, task);
    return task;
  }

  get(id: number): Task | undefined {
    return this.#open.get(id);
  }

  get size(): number {
    return this.#open.size;
  }

  /**
   * A fresh number for one host operation (timer, park, storage write) a task of `generation`
   * waits on. The top 12 bits carry the generation (mod 4096) so the guest can refuse a
   * continuation meant for another instance (workers/recovery/src/executor.rs).
   */
  newHandle(generation: number): number {
    const sequence = this.#nextHandle++ & 0xfffff;
    return (((generation & 0xfff) << 20) | sequence) >>> 0;
  }

  #settle(id: number): OpenTask | undefined {
    const task = this.#open.get(id);
    if (!task) return undefined;
    this.#open.delete(id);
    for (const cleanup of task.cleanups) cleanup();
    return task;
  }

  resolve(id: number, body: string): void {
    this.#settle(id)?.resolve(body);
  }

  /** Rejects task `id`; `keep` (test only: the task-leak-on-panic mutant) leaves it in the table. */
  reject(id: number, error: unknown, keep = false): void {
    if (keep) this.#open.get(id)?.reject(error);
    else this.#settle(id)?.reject(error);
  }

  /**
   * Fails every task of `generation` except `spare` with the error `reason` makes for it. Each
   * task leaves the table (its cleanups run) at once; `deliver` runs its rejection, at once
   * unless the stale-siblings-on-fault-timer mutant defers it.
   */
  failGeneration(generation: number, spare: number | undefined, reason: (task: Task) => Error, deliver = (reject: () => void) => reject()): void {
    for (const task of [...this.#open.values()]) {
      if (task.generation !== generation || task.id === spare) continue;
      const settled = this.#settle(task.id)!;
      deliver(() => settled.reject(reason(task)));
    }
  }
}
