/**
 * {@link Subscription}: an async iterator of notifications over a socket of its own, and
 * {@link subscriptionOf}, which builds one from a source of messages (used by
 * `Family.subscribe` and the OVS subscriptions built on it).
 *
 * @module
 */

/**
 * An async iterator of notifications whose socket is already subscribed (groups joined when
 * `Family.subscribe` returns, so no event after that call is missed). `close()` or `using`
 * releases the socket; so does ending the iteration (`break`), an abort of its signal, and
 * closing the `GenlSocket` it was made through.
 *
 * An error raised by `next()` does not end the subscription: a receive-queue overflow
 * (`SyscallError` "ENOBUFS": the kernel dropped notifications) or a notification that does
 * not decode (`DecodeError`) is raised once, and iterating the same subscription again goes on
 * with the notifications after it. After ENOBUFS, resynchronise (dump) before trusting the
 * state built from earlier notifications.
 */
export interface Subscription<T> extends AsyncIterableIterator<T> {
  /** Stops the subscription and closes its socket. */
  close(): void;
  /** Same as close(). */
  [Symbol.dispose](): void;
}

/**
 * Builds a {@link Subscription}: `open()` gives the messages to read (called again after an
 * error, to go on from there), `map` turns each into a value (`undefined` skips it), `close`
 * releases the socket. Internal to the library (not exported by the package).
 *
 * @example
 * ```ts
 * import { subscriptionOf } from "./subscription.ts";
 * async function* numbers() { yield 1; yield 2; }
 * const sub = subscriptionOf(() => numbers(), (n: number) => n * 10, () => {});
 * for await (const n of sub) console.log(n); // 10, 20
 * ```
 */
export function subscriptionOf<M, T>(
  open: () => AsyncIterator<M>,
  map: (message: M) => T | undefined,
  close: () => void,
): Subscription<T> {
  return new MappedSubscription(open, map, close);
}

class MappedSubscription<M, T> implements Subscription<T> {
  readonly #open: () => AsyncIterator<M>;
  readonly #map: (message: M) => T | undefined;
  readonly #release: () => void;
  #source: AsyncIterator<M> | undefined;
  #closed = false;
  /** next() calls run one after another, like an async generator's. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(open: () => AsyncIterator<M>, map: (m: M) => T | undefined, release: () => void) {
    this.#open = open;
    this.#map = map;
    this.#release = release;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    const p = this.#queue.then(() => this.#next());
    this.#queue = p.catch(() => {});
    return p;
  }

  async #next(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      if (this.#closed) return { done: true, value: undefined };
      const source = this.#source ??= this.#open();
      let r: IteratorResult<M>;
      try {
        r = await source.next();
      } catch (e) {
        // The source (a messages() iterator) ended with the error; the next call opens a new one.
        if (this.#source === source) this.#source = undefined;
        throw e;
      }
      if (r.done) {
        this.close();
        return { done: true, value: undefined };
      }
      const v = this.#map(r.value);
      if (v !== undefined) return { done: false, value: v };
    }
  }

  return(): Promise<IteratorResult<T, undefined>> {
    this.close();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const source = this.#source;
    this.#source = undefined;
    this.#release();
    // Ends a pending read of the source too (its socket is closed now).
    source?.return?.(undefined)?.catch?.(() => {});
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
