import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { NodeInterface } from '../../../platform/node';
import type { RecoveryStatus, WebhookRecovery } from '../webhook.entities';

export enum WebhookRecoveryStatusEnum {
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
}
registerEnumType(WebhookRecoveryStatusEnum, { name: 'WebhookRecoveryStatus', description: 'QUEUED until a worker takes it; RUNNING while it requeues; COMPLETED or FAILED at the end.' });

@ObjectType('WebhookRecovery', { implements: NodeInterface, description: 'A webhookEndpointRecover job: FAILED deliveries of a time range made due again, in the background.' })
export class WebhookRecoveryType {
  @Field(() => ID, { description: 'Public id `wrec_…`, fetchable with `node(id)`.' })
  id!: string;

  @Field(() => ID)
  endpointId!: string;

  @Field(() => Date, { description: 'Deliveries created at or after this instant.' })
  since!: Date;

  @Field(() => Date, { nullable: true, description: 'Deliveries created before this instant; null for up to the request.' })
  until!: Date | null;

  @Field(() => WebhookRecoveryStatusEnum)
  status!: WebhookRecoveryStatusEnum;

  @Field(() => Int, { nullable: true, description: 'FAILED deliveries in the range when the job started; null while QUEUED.' })
  totalCount!: number | null;

  @Field(() => Int, { description: 'Deliveries made due again so far.' })
  requeuedCount!: number;

  @Field(() => String, { nullable: true })
  errorMessage!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  completedAt!: Date | null;
}

export function toWebhookRecoveryType(recovery: WebhookRecovery): WebhookRecoveryType {
  return {
    id: recovery.id,
    endpointId: recovery.endpointId,
    since: recovery.since,
    until: recovery.until,
    status: recovery.status as RecoveryStatus as WebhookRecoveryStatusEnum,
    totalCount: recovery.totalCount,
    requeuedCount: recovery.requeuedCount,
    errorMessage: recovery.errorMessage,
    createdAt: recovery.createdAt,
    completedAt: recovery.completedAt,
  };
}
