import { Arg, Args, Ctx, ID, Info, Mutation, Query, Resolver } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { PageArgs, toConnection } from '../../platform/pagination';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import { Idempotent } from '../../policies/idempotency/idempotent.middleware';
import type { RequestContext } from '../../policies/request-context';
import type { Scope } from '../../policies/auth/scopes';
import type { BulkExportService } from './bulk-export.service';
import { BulkExportCancelInput, BulkExportCancelPayload, BulkExportConnection, BulkExportCreateInput, BulkExportCreatePayload, BulkExportType } from './bulk-export.type';

/** Any read scope lets a key export what it may read; the query's own fields decide which it needs. */
const anyReadScope: Scope[][] = [['conversations:read'], ['customers:read'], ['events:read'], ['analytics:read'], ['keys:read'], ['webhooks:read'], ['audit:read']];

@Resolver()
export class BulkExportResolver {
  constructor(private readonly service: BulkExportService) {}

  @Mutation(() => BulkExportCreatePayload, {
    nullable: true,
    description: 'Starts an export job of one top-level connection to a JSONL or CSV file (docs/bulk-exports.md). Needs the read scopes of what the query selects; one export at a time per key (CONFLICT with reason BULK_EXPORT_IN_PROGRESS).',
  })
  @RequiresScopes(...anyReadScope)
  @Idempotent()
  async bulkExportCreate(@Arg('input', () => BulkExportCreateInput) input: BulkExportCreateInput, @Ctx() { em, principal }: RequestContext, @Info() info: GraphQLResolveInfo) {
    return { bulkExport: this.service.toType(await this.service.create(em, principal, input, info.schema)) };
  }

  @Mutation(() => BulkExportCancelPayload, { nullable: true, description: 'Stops a CREATED or RUNNING export and deletes what it wrote; CONFLICT once it has ended.' })
  @RequiresScopes(...anyReadScope)
  @Idempotent()
  async bulkExportCancel(@Arg('input', () => BulkExportCancelInput) input: BulkExportCancelInput, @Ctx() { em, principal }: RequestContext) {
    return { bulkExport: this.service.toType(await this.service.cancel(em, principal, input.id)) };
  }

  @Query(() => BulkExportType, { nullable: true, description: 'One export; NOT_FOUND for other workspaces and for exports needing scopes the key lacks.' })
  @RequiresScopes(...anyReadScope)
  async bulkExport(@Arg('id', () => ID) id: string, @Ctx() { em, principal }: RequestContext): Promise<BulkExportType> {
    return this.service.toType(await this.service.find(em, principal, id));
  }

  @Query(() => BulkExportConnection, { nullable: true, description: 'Exports of the workspace whose scopes the key holds, newest first.' })
  @RequiresScopes(...anyReadScope)
  async bulkExports(@Args(() => PageArgs) page: PageArgs, @Ctx() { em, principal }: RequestContext) {
    return toConnection(await this.service.list(em, principal, page), (row) => this.service.toType(row));
  }
}
