export * from './cursor';
export * from './page-args';
export * from './keyset';
export * from './connection';
export * from './order-direction';
