// Types of float-cycle-features.mjs.
/** The class of one call of a ROM float routine for its cycle cost ('special', 'normal', 'p12', ...). */
export declare function cycleClass(name: string, r: readonly number[]): string;
