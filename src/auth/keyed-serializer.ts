/**
 * Runs tasks of one key one after another, and tasks of different keys freely. Holds an
 * entry only while a task of its key runs or waits, so it stays as small as the work in
 * flight.
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or waiting: for specs. */
  get size(): number {
    return this.tails.size;
  }
}
