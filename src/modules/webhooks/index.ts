export { WebhookEndpoint, WebhookDelivery, WebhookAttempt, type DeliveryStatus } from './webhook.entities';
export { WebhookEndpointService, type EndpointCreation, type IssuedEndpoint } from './management/webhook-endpoint.service';
export { WebhookDeliveryService, type ReplayRange, type ReplayResult } from './management/webhook-delivery.service';
export { WebhookEndpointResolver } from './management/webhook-endpoint.resolver';
export { WebhookDeliveryResolver } from './management/webhook-delivery.resolver';
export { WebhookEndpointCreateSecretResolver, WebhookEndpointRotateSecretResolver } from './management/webhook-secret-reveal.resolver';
export { WebhookEndpointType, toWebhookEndpointType } from './management/webhook-endpoint.type';
export { productionOutboundPolicy, type OutboundPolicy } from './delivery/ssrf-guard';
