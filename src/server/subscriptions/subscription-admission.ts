import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Principal } from '../../policies/auth/principal';
import type { AdmittedOperation, CostGate } from '../../policies/cost/cost-gate';
import { assertStorableInput } from '../../policies/input/storable-input';
import type { SubscriptionDocuments } from './subscription-documents';
import type { SubscriptionRequest } from './subscription-shapes';

export interface SubscriptionAdmissionDependencies {
  readonly schema: GraphQLSchema;
  readonly documents: SubscriptionDocuments;
  /** Absent when COST_ANALYSIS is off. */
  readonly costGate?: CostGate;
}

export interface AdmittedSubscription {
  readonly document: DocumentNode;
  /** Its cost, taken once as it starts (events are not priced one by one); settle it to give the cost back if the stream does not open. */
  readonly admission: AdmittedOperation | undefined;
}

/**
 * What a subscription passes before its stream opens, on WebSocket and SSE alike: a document
 * within the token limit that validates, arguments that can be stored, the query limits, and
 * its requested cost from the key's and the workspace's budgets. Throws the GatewayError to
 * refuse it with.
 */
export async function admitSubscription(
  deps: SubscriptionAdmissionDependencies,
  principal: Principal,
  request: SubscriptionRequest,
  notASubscription: string,
): Promise<AdmittedSubscription> {
  const document = deps.documents.subscriptionOf(request.query, request.operationName, notASubscription);
  assertStorableInput(deps.schema, document, request.operationName, request.variables);
  const admission = await deps.costGate?.admit(principal, document, request.operationName, request.variables ?? {});
  return { document, admission };
}
