export * from './compiled-execution';
