/** An RFC 7644 §3.12 error: the HTTP status, an optional scimType and a detail for people. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly scimType?: 'invalidFilter' | 'uniqueness' | 'invalidSyntax' | 'invalidValue' | 'noTarget' | 'mutability' | 'tooMany',
  ) {
    super(detail);
  }

  toBody(): Record<string, unknown> {
    return { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(this.status), ...(this.scimType ? { scimType: this.scimType } : {}), detail: this.detail };
  }
}
