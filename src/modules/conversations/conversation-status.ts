import { GatewayError } from '../../platform/errors';
import type { ConversationStatus } from './conversation.entity';

/** Which status a conversation may move to from each status. */
export const allowedTransitions: Readonly<Record<ConversationStatus, readonly ConversationStatus[]>> = {
  open: ['pending', 'escalated', 'resolved'],
  pending: ['open', 'escalated', 'resolved'],
  escalated: ['open', 'pending', 'resolved'],
  resolved: ['open'],
};

/** BAD_USER_INPUT naming the allowed transitions when `to` cannot follow `from`. */
export function assertTransition(from: ConversationStatus, to: ConversationStatus, field: string): void {
  if (allowedTransitions[from].includes(to)) return;
  const allowed = allowedTransitions[from];
  throw new GatewayError(
    'BAD_USER_INPUT',
    `A ${from} conversation cannot become ${to}; allowed: ${allowed.join(', ')}`,
    {
      fieldErrors: [{ field, message: `Cannot change status from ${from} to ${to}` }],
      currentStatus: from.toUpperCase(),
      allowedTransitions: allowed.map((status) => status.toUpperCase()),
    },
  );
}
