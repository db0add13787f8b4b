/**
 * Argument checks for the public entry points, shared by every module so that a bad argument
 * always fails the same way: a `TypeError` when the value has the wrong type, a `RangeError`
 * when it has the right type but an impossible value (NaN, negative, fractional, too large),
 * with the message "Cannot <verb>: <what> must be <expectation>, not <value>". Each check
 * returns the value it accepted, typed, so that callers can write `const n = checkInt(...)`.
 * Not exported from the package: an internal module.
 *
 * @module
 */

/**
 * A short, safe description of any value for an error message: strings quoted and cut at 40
 * characters, numbers as written, objects by their kind (never their contents).
 *
 * @example
 * ```ts
 * import { describeValue } from "./_validate.ts";
 * console.log(describeValue("x".repeat(100)), describeValue(NaN), describeValue([1])); // "xx…" NaN an array
 * ```
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case "number":
    case "boolean":
    case "undefined":
      return String(value);
    case "bigint":
      return `${value}n`;
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
  }
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Uint8Array) return `a ${value.length}-byte Uint8Array`;
  const name = (value as object).constructor?.name;
  return name && name !== "Object" ? `a ${name}` : "an object";
}

/**
 * Checks that `value` is an integer in `[min, max]`: `TypeError` for a non-number, `RangeError`
 * for NaN, a fraction or a value out of range.
 *
 * @example
 * ```ts
 * import { checkInt } from "./_validate.ts";
 * const type = checkInt(16, "send message", "type", 0, 0xffff); // 16
 * ```
 */
export function checkInt(
  value: unknown,
  verb: string,
  what: string,
  min: number,
  max: number,
): number {
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot ${verb}: ${what} must be an integer ${min}..${max}, not ${describeValue(value)}`,
    );
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      `Cannot ${verb}: ${what} must be an integer ${min}..${max}, not ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * {@link checkInt} for an optional value: `undefined` gives `fallback`.
 *
 * @example
 * ```ts
 * import { checkOptionalInt } from "./_validate.ts";
 * const chunk = checkOptionalInt(undefined, "batch", "chunk", 1, 1024, 64); // 64
 * ```
 */
export function checkOptionalInt(
  value: unknown,
  verb: string,
  what: string,
  min: number,
  max: number,
  fallback: number,
): number {
  return value === undefined ? fallback : checkInt(value, verb, what, min, max);
}

/**
 * Checks a timeout in milliseconds: -1 (forever) or a number 0..2^31-1 (fractions allowed,
 * they round up). `undefined` gives `fallback`.
 *
 * @example
 * ```ts
 * import { checkTimeout } from "./_validate.ts";
 * const ms = checkTimeout(undefined, "request", 5000); // 5000
 * ```
 */
export function checkTimeout(value: unknown, verb: string, fallback: number): number {
  if (value === undefined) return fallback;
  const what = "timeoutMs";
  const expected = "-1 (forever) or a number of milliseconds 0..2147483647";
  if (typeof value !== "number") {
    throw new TypeError(`Cannot ${verb}: ${what} must be ${expected}, not ${describeValue(value)}`);
  }
  if (!(value === -1 || (value >= 0 && value <= 0x7fffffff))) {
    throw new RangeError(
      `Cannot ${verb}: ${what} must be ${expected}, not ${describeValue(value)}`,
    );
  }
  return value === -1 ? -1 : Math.ceil(value);
}

/**
 * Checks an optional boolean (`undefined` gives `fallback`).
 *
 * @example
 * ```ts
 * import { checkBoolean } from "./_validate.ts";
 * const ack = checkBoolean(undefined, "request", "ack", true); // true
 * ```
 */
export function checkBoolean(
  value: unknown,
  verb: string,
  what: string,
  fallback: boolean,
): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new TypeError(
      `Cannot ${verb}: ${what} must be true or false, not ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Checks an optional string (`undefined` passes); `nonEmpty` also refuses "" and strings with
 * a NUL character (names the kernel reads as C strings).
 *
 * @example
 * ```ts
 * import { checkString } from "./_validate.ts";
 * const ns = checkString("blue", "open netlink socket", "netns", true); // "blue"
 * ```
 */
export function checkString(
  value: unknown,
  verb: string,
  what: string,
  nonEmpty = false,
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") {
    throw new TypeError(
      `Cannot ${verb}: ${what} must be a${nonEmpty ? " non-empty" : ""} string, not ${
        describeValue(value)
      }`,
    );
  }
  if (nonEmpty && (value.length === 0 || value.includes("\0"))) {
    throw new RangeError(
      `Cannot ${verb}: ${what} must be a non-empty string without NUL characters, not ${
        describeValue(value)
      }`,
    );
  }
  return value;
}

/**
 * Checks that an optional value is one of `choices` (`undefined` gives `fallback`).
 *
 * @example
 * ```ts
 * import { checkOneOf } from "./_validate.ts";
 * const mode = checkOneOf("peek", "open netlink socket", "receiveMode", ["auto", "peek", "grow"], "auto");
 * ```
 */
export function checkOneOf<const T extends string>(
  value: unknown,
  verb: string,
  what: string,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!choices.includes(value as T)) {
    const list = choices.map((c) => JSON.stringify(c)).join(", ");
    const Err = typeof value === "string" ? RangeError : TypeError;
    throw new Err(`Cannot ${verb}: ${what} must be one of ${list}, not ${describeValue(value)}`);
  }
  return value as T;
}

/**
 * Checks that `value` is a function (optional when `optional`).
 *
 * @example
 * ```ts
 * import { checkFunction } from "./_validate.ts";
 * checkFunction(() => {}, "dump", "map");
 * ```
 */
export function checkFunction(value: unknown, verb: string, what: string, optional = false): void {
  if (optional && value === undefined) return;
  if (typeof value !== "function") {
    throw new TypeError(`Cannot ${verb}: ${what} must be a function, not ${describeValue(value)}`);
  }
}

/**
 * Checks that `value` is a Uint8Array (optional when `optional`).
 *
 * @example
 * ```ts
 * import { checkBytes } from "./_validate.ts";
 * checkBytes(new Uint8Array(4), "send message", "payload");
 * ```
 */
export function checkBytes(value: unknown, verb: string, what: string, optional = false): void {
  if (optional && value === undefined) return;
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(
      `Cannot ${verb}: ${what} must be a Uint8Array, not ${describeValue(value)}`,
    );
  }
}

/**
 * Checks an options argument: `undefined` or an object (not null, not an array). Returns the
 * object, `{}` for `undefined`.
 *
 * @example
 * ```ts
 * import { checkOptions } from "./_validate.ts";
 * const o = checkOptions<{ ack?: boolean }>(undefined, "request"); // {}
 * ```
 */
export function checkOptions<T extends object>(value: unknown, verb: string, what = "options"): T {
  if (value === undefined) return {} as T;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`Cannot ${verb}: ${what} must be an object, not ${describeValue(value)}`);
  }
  return value as T;
}

/**
 * Checks that `data` is a Uint8Array and `[start, end)` a range of it (integers,
 * `0 <= start <= end <= data.length`). Cheap enough for constructors on hot paths: callers test
 * the fast condition inline and call this only to raise the right error.
 *
 * @example
 * ```ts
 * import { checkSpan } from "./_validate.ts";
 * checkSpan(new Uint8Array(8), 0, 8, "iterate messages");
 * ```
 */
export function checkSpan(data: unknown, start: unknown, end: unknown, verb: string): void {
  if (!(data instanceof Uint8Array)) {
    throw new TypeError(
      `Cannot ${verb}: the data must be a Uint8Array, not ${describeValue(data)}`,
    );
  }
  for (const v of [start, end]) {
    if (typeof v !== "number") {
      throw new TypeError(`Cannot ${verb}: offsets must be integers, not ${describeValue(v)}`);
    }
  }
  const s = start as number;
  const e = end as number;
  if ((s >>> 0) !== s || (e >>> 0) !== e || s > e || e > data.length) {
    throw new RangeError(
      `Cannot ${verb}: range [${s}, ${e}) is not within the ${data.length}-byte buffer`,
    );
  }
}

/**
 * Checks a reference by name or by number: a non-empty string without NUL, or an integer
 * `1..maxId` (a generic netlink family, a datapath, a port).
 *
 * @example
 * ```ts
 * import { checkNameOrId } from "./_validate.ts";
 * checkNameOrId("nlctrl", "get family", "the family", 0xffff);
 * ```
 */
export function checkNameOrId(
  value: unknown,
  verb: string,
  what: string,
  maxId: number,
  minId = 1,
): void {
  if (typeof value === "string") {
    checkString(value, verb, `${what} name`, true);
    return;
  }
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot ${verb}: ${what} must be a name or an id ${minId}..${maxId}, not ${
        describeValue(value)
      }`,
    );
  }
  checkInt(value, verb, `${what} id`, minId, maxId);
}
