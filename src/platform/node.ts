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
};

@InterfaceType('Node', {
  description: 'An object with a global id, fetchable with `node(id)`.',
  resolveType: (value: { id: string }) => nodeTypeByIdPrefix[prefixOf(value.id) ?? ''],
})
export abstract class NodeInterface {
  @Field(() => ID, { description: 'Global, typed id such as `conv_…` or `cus_…`.' })
  id!: string;
}
