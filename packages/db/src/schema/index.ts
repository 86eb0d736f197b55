export * from './bounces.js';
export * from './enums.js';
export * from './inbound.js';
export * from './mailings.js';
export * from './outbound.js';
export * from './servers.js';
export * from './tenants.js';
export * from './threads.js';
