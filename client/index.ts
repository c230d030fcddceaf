export * from './gateway-client';
export * from './resumable-subscription';
export * from './generated/operations';
