export { ClientTokenSigner, isClientToken, type ClientTokenClaims } from './client-token.codec';
export { ClientTokenService } from './client-token.service';
export { ClientTokenResolver } from './client-token.resolver';
export { isOriginAllowed } from './client-token.rules';
