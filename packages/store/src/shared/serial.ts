// One unit of work at a time in this process, in arrival order. The synchronous adapters (SQLite,
// memory) keep their units atomic with it now that a unit is async: between two awaits of a unit
// another call's unit could otherwise start, and better-sqlite3 has one transaction per
// connection. An idle queue starts the unit at once (one promise more than the unit's own).

export class SerialQueue {
  /** The last unit queued or running; only read while `pending` > 0. */
  private tail: Promise<unknown> = Promise.resolve();
  /** Units running or waiting. */
  private pending = 0;

  /** Runs `fn` once every unit queued before it has settled (fulfilled or rejected). */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const start = () => this.settle(fn);
    const idle = this.pending === 0;
    this.pending++;
    const unit = idle ? start() : this.tail.then(start, start);
    this.tail = unit;
    return unit;
  }

  private async settle<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      this.pending--;
    }
  }
}
