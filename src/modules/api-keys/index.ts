export { ApiKey } from './api-key.entity';
export { ApiKeyService, type IssuedApiKey, type ApiKeyCreation } from './api-key.service';
export { ApiKeyAuthenticator } from './api-key.authenticator';
export { ApiKeyCredentials, apiKeyChangesChannel } from './api-key-credentials';
export { ApiKeyResolver } from './api-key.resolver';
export { ViewerResolver } from './viewer.resolver';
export { bootstrapAdminKey } from './bootstrap-admin-key';
export { resolveApiKeyPepper } from './api-key.pepper';
export { toApiKeyType } from './api-key.type';
