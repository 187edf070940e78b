// Types of float-table-order.mjs.
export declare const SOFT_FLOAT_NAMES: readonly (string | null)[];
export declare const SOFT_DOUBLE_NAMES: readonly (string | null)[];
