/**
 * AnyValue may nest arrays and key-value lists; deeper than this is treated as
 * hostile (stack exhaustion), not as data.
 */
export const MAX_ANY_VALUE_DEPTH = 32;
