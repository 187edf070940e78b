export const TRANSCENDENTAL_ULP = {};
