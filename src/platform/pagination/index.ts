export * from './cursor';
export * from './page-args';
export * from './keyset';
export type { ComputedLine, KeysetCopy, PageEnd } from './keyset-copy';
export * from './connection';
export * from './order-direction';
export type { NestedPageQuery } from './nested-pages';
export * from './nested-page-loader';
export * from './node-selection';
