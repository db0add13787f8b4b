/**
 * The items of an async sequence of batches as one async generator (internal): what a dump
 * that decodes per datagram hands its caller item by item.
 *
 * @module
 */

const DONE: IteratorReturnResult<void> = Object.freeze({ value: undefined, done: true });

/**
 * An `AsyncGenerator` of the items of the batches `start()` yields: `next()` hands out the
 * current batch's items as already-resolved promises and awaits the source only when a batch
 * runs out. An `async function*` that yields each item pays an await per `yield` (several
 * promise jobs and allocations per item: a third of Bun's dump time); this pays one resolved
 * promise. The source is started at the first `next()` (arguments checked there, as in an
 * async generator function); `return()`, `throw()` and disposal close it (a dump left early is
 * abandoned by its own `finally`); calls made while a batch is awaited run in order.
 */
export class BatchItems<T, S = T> implements AsyncGenerator<T, void, undefined> {
  #start: (() => AsyncGenerator<readonly S[], void, undefined>) | undefined;
  #source: AsyncGenerator<readonly S[], void, undefined> | undefined;
  #batch: readonly S[] = [];
  #i = 0;
  #done = false;
  #pending: Promise<unknown> | undefined;
  readonly #item: ((s: S) => T) | undefined;

  /**
   * Items of the batches `start()` yields; with `item`, each is made from its batch entry when
   * it is handed out (one at a time: a batch of entries holds no decoded items). An exception
   * `item` throws closes the source and rejects that `next()`.
   */
  constructor(start: () => AsyncGenerator<readonly S[], void, undefined>, item?: (s: S) => T) {
    this.#start = start;
    this.#item = item;
  }

  next(): Promise<IteratorResult<T, void>> {
    if (this.#pending !== undefined) return this.#after(() => this.next());
    if (this.#i < this.#batch.length) {
      const s = this.#batch[this.#i++];
      if (this.#item === undefined) {
        return Promise.resolve({ value: s as unknown as T, done: false });
      }
      let value: T;
      try {
        value = this.#item(s);
      } catch (e) {
        return this.#track(this.#close().then(() => Promise.reject(e)));
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#done) return Promise.resolve(DONE);
    return this.#track(this.#refill());
  }

  return(value?: void | PromiseLike<void>): Promise<IteratorResult<T, void>> {
    if (this.#pending !== undefined) return this.#after(() => this.return(value));
    return this.#track(this.#close().then(async () => ({ value: await value, done: true })));
  }

  throw(e: unknown): Promise<IteratorResult<T, void>> {
    if (this.#pending !== undefined) return this.#after(() => this.throw(e));
    return this.#track(this.#close().then(() => Promise.reject(e)));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return(undefined);
  }

  /** Runs `f` once the call in progress has settled (calls keep their order). */
  #after<R>(f: () => Promise<R>): Promise<R> {
    return (this.#pending as Promise<unknown>).then(f, f);
  }

  /** Marks `p` as the call in progress until it settles. */
  #track<R>(p: Promise<R>): Promise<R> {
    this.#pending = p;
    const clear = () => {
      if (this.#pending === p) this.#pending = undefined;
    };
    p.then(clear, clear);
    return p;
  }

  /** Awaits the next non-empty batch and hands out its first item. */
  async #refill(): Promise<IteratorResult<T, void>> {
    try {
      if (this.#source === undefined) {
        const start = this.#start as () => AsyncGenerator<readonly S[], void, undefined>;
        this.#start = undefined;
        this.#source = start();
      }
      for (;;) {
        const r = await this.#source.next();
        if (r.done === true) {
          this.#finish();
          return DONE;
        }
        const batch = r.value as readonly S[];
        if (batch.length > 0) {
          this.#batch = batch;
          this.#i = 1;
          if (this.#item === undefined) return { value: batch[0] as unknown as T, done: false };
          let value: T;
          try {
            value = this.#item(batch[0]);
          } catch (e) {
            await this.#close();
            throw e;
          }
          return { value, done: false };
        }
      }
    } catch (e) {
      this.#finish();
      throw e;
    }
  }

  /** Ends the iteration, closing a source that has not finished. */
  async #close(): Promise<void> {
    const source = this.#done ? undefined : this.#source;
    this.#finish();
    if (source !== undefined) await source.return(undefined);
  }

  #finish(): void {
    this.#done = true;
    this.#start = undefined;
    this.#batch = [];
    this.#i = 0;
  }
}
