import { effectiveScopes, satisfiesScopeRequirement } from './scopes';

describe('satisfiesScopeRequirement (Apollo Router semantics: outer list OR, inner list AND)', () => {
  const eitherBothReadsOrAudit = [['conversations:read', 'customers:read'], ['audit:read']];

  it.each([
    [['conversations:read', 'customers:read'], true, 'every scope of the first inner list'],
    [['audit:read'], true, 'every scope of the second inner list'],
    [['conversations:read'], false, 'only one scope of an inner list of two'],
    [['customers:read', 'keys:read'], false, 'the other scope of that list and an unrelated one'],
    [[], false, 'no scope at all'],
    [['admin'], true, 'admin, which holds every scope'],
  ])('with %j it is %s (%s)', (granted, expected) => {
    expect(satisfiesScopeRequirement(effectiveScopes(granted), eitherBothReadsOrAudit)).toBe(expected);
  });

  it('an empty requirement needs nothing; an empty inner list is satisfied by any key', () => {
    expect(satisfiesScopeRequirement(new Set(), [])).toBe(true);
    expect(satisfiesScopeRequirement(new Set(), [[]])).toBe(true);
  });
});
