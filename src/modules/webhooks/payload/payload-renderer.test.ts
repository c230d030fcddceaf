import { GraphQLID, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import type { RequestContext } from '../../../policies/request-context';
import type { EventEnvelope } from '../../events';
import { PayloadRenderer, type PayloadSelection } from './payload-renderer';

/** A schema with just an Event whose `note` fails while `isDown` says so: enough to watch the renderer's cache. */
function eventSchema(state: { isDown: boolean; executions: number }) {
  const event = new GraphQLObjectType({
    name: 'Event',
    fields: {
      id: { type: GraphQLID },
      note: {
        type: GraphQLString,
        resolve: () => {
          state.executions++;
          if (state.isDown) throw new Error('database unavailable');
          return 'fine';
        },
      },
    },
  });
  return new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: { event: { type: event } } }) });
}

const event: EventEnvelope = { id: 'evt_renderer000000000001', type: 'conversation.created', occurredAt: '2026-12-07T00:00:00.000Z', sequence: 1, data: {} };
const selection: PayloadSelection = { query: '{ id note }', scopes: ['conversations:read'], workspaceId: 'ws', registeredBy: 'key_test' };
const noContext = () => ({}) as RequestContext;

describe('PayloadRenderer', () => {
  it('renders one event and selection once, however many deliveries ask at once', async () => {
    const state = { isDown: false, executions: 0 };
    const renderer = new PayloadRenderer(eventSchema(state), noContext);
    const bodies = await Promise.all([renderer.render(selection, event), renderer.render(selection, event), renderer.render({ ...selection, registeredBy: 'key_other' }, event)]);
    expect(bodies).toEqual([JSON.stringify({ id: event.id, note: 'fine' }), JSON.stringify({ id: event.id, note: 'fine' }), JSON.stringify({ id: event.id, note: 'fine' })]);
    expect(state.executions).toBe(1);
  });

  it('keeps no failed render: the next attempt executes the selection again', async () => {
    const state = { isDown: true, executions: 0 };
    const renderer = new PayloadRenderer(eventSchema(state), noContext);
    await expect(renderer.render(selection, event)).rejects.toThrow('database unavailable');
    state.isDown = false;
    await expect(renderer.render(selection, event)).resolves.toBe(JSON.stringify({ id: event.id, note: 'fine' }));
    expect(state.executions).toBe(2);
  });

  it('renders again for other scopes or another workspace: neither shares a render', async () => {
    const state = { isDown: false, executions: 0 };
    const renderer = new PayloadRenderer(eventSchema(state), noContext);
    await renderer.render(selection, event);
    await renderer.render({ ...selection, scopes: ['conversations:read', 'customers:read'] }, event);
    await renderer.render({ ...selection, workspaceId: 'ws-other' }, event);
    expect(state.executions).toBe(3);
  });
});
