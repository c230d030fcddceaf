import { Args, Ctx, Query, Resolver } from 'type-graphql';
import { RequiresScopes } from '../../policies/auth/requires-scopes.directive';
import type { RequestContext } from '../../policies/request-context';
import { PageArgs, toConnection, type Pager } from '../../platform/pagination';
import { listAuditEntries } from './audit.service';
import { AuditEntryConnection, toAuditEntryType } from './audit.type';

@Resolver()
export class AuditResolver {
  constructor(private readonly pager: Pager) {}

  @Query(() => AuditEntryConnection, { nullable: true, description: 'Administrative changes in the workspace, newest first.' })
  @RequiresScopes(['audit:read'])
  async auditLog(@Args(() => PageArgs) page: PageArgs, @Ctx() { em, principal }: RequestContext) {
    return toConnection(await listAuditEntries(em, this.pager, principal.workspaceId, page), toAuditEntryType);
  }
}
