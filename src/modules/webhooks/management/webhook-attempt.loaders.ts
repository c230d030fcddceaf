import DataLoader from 'dataloader';
import type { LoaderFactory } from '../../../platform/request-loaders';
import { WebhookAttempt } from '../webhook.entities';

/** A delivery whose attempts to read, and the caller's workspace, which the attempts must belong to as well. */
export interface DeliveryAttemptsKey {
  readonly workspaceId: string;
  readonly deliveryId: string;
}

/**
 * Every attempt of a level's deliveries in one query, oldest first per delivery. The delivery
 * ids were read in the caller's workspace; the attempts are read only from it as well, so a row
 * of another workspace pointing at one of them is never shown. (One request reads one
 * workspace, so the keys of a batch share it.)
 */
export const attemptsByDeliveryLoader: LoaderFactory<DataLoader<DeliveryAttemptsKey, WebhookAttempt[], string>> = (em) =>
  new DataLoader(
    async (keys) => {
      const workspaceIds = [...new Set(keys.map((key) => key.workspaceId))];
      const deliveryIds = [...new Set(keys.map((key) => key.deliveryId))];
      const attempts = await em.find(WebhookAttempt, { workspace: { $in: workspaceIds }, delivery: { $in: deliveryIds } }, { orderBy: { delivery: 'asc', attemptNumber: 'asc' } });
      const attemptsOf = new Map<string, WebhookAttempt[]>(deliveryIds.map((id) => [id, []]));
      for (const attempt of attempts) attemptsOf.get(attempt.delivery.id)!.push(attempt);
      return keys.map((key) => attemptsOf.get(key.deliveryId)!);
    },
    { cacheKeyFn: ({ workspaceId, deliveryId }) => `${workspaceId}:${deliveryId}` },
  );
