import type { Principal } from './principal';

/** Who makes a change, as services and the audit log see it. */
export interface Actor {
  readonly workspaceId: string;
  /** `key_…` for an API key; `cli` or `bootstrap` for an operator on the machine. */
  readonly label: string;
  readonly grantedScopes: readonly string[];
  readonly ip: string | null;
  readonly requestId: string | null;
}

export function actorFromPrincipal(principal: Principal, requestId: string): Actor {
  return {
    workspaceId: principal.workspaceId,
    label: principal.apiKeyId,
    grantedScopes: principal.grantedScopes,
    ip: principal.clientIp,
    requestId,
  };
}

/** An operator with shell access to the machine holds every scope. */
export function operatorActor(workspaceId: string, label: 'cli' | 'bootstrap'): Actor {
  return { workspaceId, label, grantedScopes: ['admin'], ip: null, requestId: null };
}
