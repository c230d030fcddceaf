import { nestedPageLoader, type NestedPageArgs } from '../../../platform/pagination';
import type { DeliveryStatus } from '../webhook.entities';
import type { WebhookDeliveryService } from './webhook-delivery.service';

/** `WebhookEndpoint.deliveries` of every endpoint of a level: one statement per distinct arguments. */
export const deliveryPagesLoader = (deliveries: WebhookDeliveryService) =>
  nestedPageLoader((em, endpointIds, { workspaceId, page, status }: NestedPageArgs & { readonly status: DeliveryStatus | null }) =>
    deliveries.list(em, workspaceId, endpointIds, status, page),
  );
