/**
 * Marks errata put on a parsed spec where YNL has no key for what the kernel does (internal).
 *
 * @module
 */

/**
 * On an attribute: the kernel writes this nest (and an indexed array's elements) without
 * NLA_F_NESTED. A symbol, so no YAML key can set it.
 */
export const NO_NESTED_FLAG: unique symbol = Symbol("nlts.noNestedFlag");
