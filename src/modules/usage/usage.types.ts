import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Cost } from '../../policies/cost/cost-directives';

@Cost(0)
@ObjectType()
export class ErrorCodeCount {
  @Field(() => String)
  code!: string;

  @Field(() => Int)
  count!: number;
}

@Cost(0)
@ObjectType({ description: 'Request figures as the gateway recorded them (batched per minute). Latency percentiles are the upper edge of a 10%-wide bucket: never below the true value, at most 10% above it.' })
export class ApiUsageFigures {
  @Field(() => Int)
  requests!: number;

  @Field(() => Int, { description: 'Requests that answered with at least one error.' })
  errors!: number;

  @Field(() => Float, { nullable: true, description: 'errors ÷ requests; null without requests.' })
  errorRate!: number | null;

  @Field(() => Int, { description: 'Requests refused with RATE_LIMITED (the request budget or a field budget such as analytics).' })
  rateLimited!: number;

  @Field(() => Int, { description: 'Request-budget units spent: one per request the rate limit let through.' })
  cost!: number;

  @Field(() => Float, { nullable: true })
  meanLatencyMs!: number | null;

  @Field(() => Float, { nullable: true })
  latencyP50Ms!: number | null;

  @Field(() => Float, { nullable: true })
  latencyP95Ms!: number | null;

  @Field(() => Float, { nullable: true })
  latencyP99Ms!: number | null;

  @Field(() => [ErrorCodeCount], { description: 'By the first error’s code, most frequent first.' })
  errorsByCode!: ErrorCodeCount[];
}

@Cost(0)
@ObjectType()
export class OperationUsage {
  @Field(() => String, { description: 'The operation name the client sent ("anonymous" without one; "other" past 500 distinct names).' })
  operation!: string;

  @Field(() => ApiUsageFigures)
  figures!: ApiUsageFigures;
}

@Cost(0)
@ObjectType()
export class ApiUsagePoint {
  @Field(() => Date)
  start!: Date;

  @Field(() => Date)
  end!: Date;

  @Field(() => ApiUsageFigures)
  figures!: ApiUsageFigures;
}

@ObjectType({ description: 'The gateway’s own API figures over a range: in total, by operation name, and per time bucket.' })
export class ApiUsage {
  @Field(() => ApiUsageFigures)
  totals!: ApiUsageFigures;

  @Field(() => [OperationUsage], { description: 'Busiest first.' })
  byOperation!: OperationUsage[];

  @Field(() => [ApiUsagePoint], { description: 'Every bucket of the range, empty ones included.' })
  points!: ApiUsagePoint[];
}
