import { QueryShapes, parameterize } from './query-shapes';

/** Stands in for the query builder: one `?` per value, as knex compiles a filter. */
const compileLikeABuilder = (template: unknown) => {
  const bindings: unknown[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
    else if (value !== null && value !== undefined) bindings.push(value);
  };
  walk(template);
  return { sql: `select … where ${bindings.map(() => '?').join(' and ')} limit ?`, bindings: [...bindings, 51] };
};

describe('QueryShapes: SQL compiled once per filter shape, bound to each filter’s values', () => {
  it('filters with the same keys, operators and array lengths share one compiled shape', () => {
    const shapes = new QueryShapes();
    let compilations = 0;
    const compile = (template: unknown) => (compilations++, compileLikeABuilder(template));
    const at = new Date('2026-12-01T00:00:00Z');

    const first = shapes.resolve('conversations', parameterize({ workspace: 'w1', status: { $in: ['open', 'pending'] }, createdAt: { $lt: at } }), compile);
    const second = shapes.resolve('conversations', parameterize({ workspace: 'w2', status: { $in: ['resolved', 'open'] }, createdAt: { $lt: at } }), compile);

    expect(compilations).toBe(1);
    expect(first!.bindings).toEqual(['w1', 'open', 'pending', at, 51]);
    expect(second!.bindings).toEqual(['w2', 'resolved', 'open', at, 51]);
    expect(second!.sql).toBe(first!.sql);
  });

  it('another array length, key, null or context is another shape', () => {
    const shapes = new QueryShapes();
    let compilations = 0;
    const compile = (template: unknown) => (compilations++, compileLikeABuilder(template));
    for (const filter of [{ status: { $in: ['open'] } }, { status: { $in: ['open', 'pending'] } }, { priority: { $in: ['open'] } }, { status: null }]) {
      shapes.resolve('conversations', parameterize(filter), compile);
    }
    shapes.resolve('customers', parameterize({ status: null }), compile);
    expect(compilations).toBe(5);
  });

  it('a shape whose values the builder transforms, or a value that is an object, is not compiled for reuse', () => {
    const shapes = new QueryShapes();
    const asArrayLiteral = (template: unknown) => ({ sql: 'select … where tags && ?', bindings: [`{${(template as { tags: string[] }).tags.join(',')}}`] });
    expect(shapes.resolve('conversations', parameterize({ tags: ['vip'] }), asArrayLiteral)).toBeNull();
    expect(shapes.resolve('conversations', parameterize({ customer: new (class Customer { id = 'cus_1' })() }), compileLikeABuilder)).toBeNull();
  });

  it('a filter value that looks like a slot marker is bound as a value, never read as a slot', () => {
    const shapes = new QueryShapes();
    shapes.resolve('conversations', parameterize({ subject: 'anything' }), compileLikeABuilder);
    const tricky = shapes.resolve('conversations', parameterize({ subject: '\u0000slot:0' }), compileLikeABuilder);
    expect(tricky!.bindings).toEqual(['\u0000slot:0', 51]);
  });
});
