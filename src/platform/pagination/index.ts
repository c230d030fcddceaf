export * from './cursor';
export * from './page-args';
export * from './keyset';
export * from './connection';
export * from './order-direction';
export type { NestedPageQuery } from './nested-pages';
export * from './nested-page-loader';
