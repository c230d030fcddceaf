export * from './gateway-client';
export * from './generated/operations';
