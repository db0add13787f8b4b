/**
 * State shared inside the protocol layer, not part of the public API.
 *
 * @module
 */

/**
 * What the last `readString` call saw: the bytes before the NUL (or the end) and whether they
 * were all ASCII. Lets the schema's string codec check lengths without a second pass.
 */
export const lastStringScan: { bytes: number; ascii: boolean } = { bytes: 0, ascii: true };
