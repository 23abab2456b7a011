export * from './errors.js';
export * from './market.js';
export * from './state.js';
export * from './auction.js';
export * from './tariff.js';
export * from './limits.js';
export * from './balances.js';
