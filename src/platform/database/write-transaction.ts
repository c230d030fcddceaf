import { TransactionPropagation, type EntityManager } from '@mikro-orm/postgresql';

/**
 * A service write's transaction. It joins the caller's transaction when there is one (an
 * idempotent mutation's, which commits the idempotency record with the effect) rather than
 * opening a savepoint, which costs two statements: a failure fails the whole request anyway.
 * Where one failure must not undo the rest (batches), the caller opens the savepoint itself.
 * Changes are flushed before returning, so the caller answers with what the database holds.
 */
export function writeTransaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  return em.transactional(
    async (tx) => {
      const result = await work(tx);
      await tx.flush();
      return result;
    },
    { propagation: TransactionPropagation.REQUIRED },
  );
}
