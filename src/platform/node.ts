import { Field, ID, InterfaceType } from 'type-graphql';
import { prefixOf } from './ids';

/** Which GraphQL type each id prefix belongs to; ids carry their type (`conv_…`). */
export const nodeTypeByIdPrefix: Readonly<Record<string, string>> = {
  conv: 'Conversation',
  msg: 'Message',
  cus: 'Customer',
  agt: 'Agent',
  team: 'Team',
  key: 'ApiKey',
  bex: 'BulkExport',
  we: 'WebhookEndpoint',
  del: 'WebhookDelivery',
  att: 'WebhookAttempt',
  wrec: 'WebhookRecovery',
};

/** The type of a node, from its id's prefix. */
export const resolveNodeType = (value: { id: string }): string | undefined => nodeTypeByIdPrefix[prefixOf(value.id) ?? ''];

@InterfaceType('Node', {
  description: 'An object with a global id, fetchable with `node(id)`.',
  resolveType: resolveNodeType,
})
export abstract class NodeInterface {
  @Field(() => ID, { description: 'Global, typed id such as `conv_…` or `cus_…`.' })
  id!: string;
}
