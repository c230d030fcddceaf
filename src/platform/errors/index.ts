export * from './error-codes';
export * from './gateway-error';
export * from './format-error';
export * from './database-unavailable';
export * from './database-rejected-input';
