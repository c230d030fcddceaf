import DataLoader from 'dataloader';
import type { LoaderFactory } from '../../../platform/request-loaders';
import { WebhookAttempt } from '../webhook.entities';

/**
 * Every attempt of a page of deliveries in one query, oldest first per delivery. Takes delivery
 * ids read from the caller's own workspace; it does not filter by workspace itself.
 */
export const attemptsByDeliveryLoader: LoaderFactory<DataLoader<string, WebhookAttempt[]>> = (em) =>
  new DataLoader(async (deliveryIds) => {
    const attempts = await em.find(WebhookAttempt, { delivery: { $in: [...deliveryIds] } }, { orderBy: { delivery: 'asc', attemptNumber: 'asc' } });
    const byDelivery = new Map<string, WebhookAttempt[]>(deliveryIds.map((id) => [id, []]));
    for (const attempt of attempts) byDelivery.get(attempt.delivery.id)?.push(attempt);
    return deliveryIds.map((id) => byDelivery.get(id)!);
  });
