export * from './encoding.js';
export * from './errors.js';
export * from './signature.js';
