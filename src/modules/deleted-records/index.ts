export * from './deleted-records';
