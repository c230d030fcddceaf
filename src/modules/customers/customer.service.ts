import type { EntityManager } from '@mikro-orm/postgresql';
import { assertExpectedVersion } from '../../policies/concurrency/expected-version';
import type { Actor } from '../../policies/auth/actor';
import type { Page, PageArgs, PageQuery, Pager } from '../../platform/pagination';
import { recordEvent } from '../events';
import { applyChanges } from './customer.changes';
import { Customer, CustomerNote, type CustomerNoteRow, type CustomerRow } from './customer.entity';
import { checkDeletedRecordsListable, deletedRecordsBeyond, type DeletedRecord } from '../deleted-records';
import { customerNotFound, identityTaken, rethrowUniqueViolation } from './customer.errors';
import { changedFields, customerNoteSnapshot, customerSnapshot } from './customer.events';
import { toCustomerSort, toCustomerWhere, type CustomerFilterInput, type CustomerOrderInput } from './customer.filter';
import { customerIdsWith, findCustomerIdByEmail, findCustomerIdByExternalId, lockIdentities } from './customer-identities';
import { insertExternalIdRows, linkExternalIds, unlinkExternalIds } from './customer-external-ids';
import {
  validateChanges,
  validateNoteBody,
  validateReference,
  validateUpsert,
  type CustomerChanges,
  type CustomerReference,
  type CustomerUpsert,
  type ExternalId,
} from './customer.rules';
import { writeTransaction } from '../../platform/database/write-transaction';
import type { ConversationConditions } from '../../policies/auth/conversation-conditions';
import { customersInReachWhere } from './customer-reach';
import { lockCustomer } from './customer-lock';

export interface CustomerUpsertResult {
  readonly customer: Customer;
  readonly wasCreated: boolean;
}

export interface CustomerNoteCreation {
  readonly note: CustomerNote;
  readonly customer: Customer;
}

/**
 * Customers and their notes. Every write commits with its event in one transaction, and every
 * write that claims an email or external id holds that identity's lock (customer-identities.ts),
 * so concurrent syncs of one person end with one customer.
 */
export class CustomerService {
  constructor(private readonly pager: Pager) {}

  /** The CRM sync primitive: match by external id, else by email (case-insensitive), else create. */
  async upsert(em: EntityManager, actor: Actor, upsert: CustomerUpsert): Promise<CustomerUpsertResult> {
    validateUpsert(upsert);
    const workspaceId = actor.workspaceId;
    const externalIds = upsert.externalId ? [upsert.externalId] : [];
    const externalIdField = () => 'input.externalId';
    return rethrowUniqueViolation(
      writeTransaction(em, async (tx) => {
        await lockIdentities(tx, workspaceId, { emails: [upsert.email], externalIds });
        const matchedId =
          (upsert.externalId && (await findCustomerIdByExternalId(tx, workspaceId, upsert.externalId))) ||
          (upsert.email && (await findCustomerIdByEmail(tx, workspaceId, upsert.email)));
        if (!matchedId) return { customer: await this.create(tx, workspaceId, upsert, externalIds, externalIdField), wasCreated: true };
        const customer = await lockCustomer(tx, workspaceId, matchedId);
        await this.change(tx, customer, { ...upsert, externalIdsAdd: externalIds }, externalIdField);
        return { customer, wasCreated: false };
      }),
    );
  }

  /** `expectedVersion`: the version the caller read; CONFLICT when the customer changed since. */
  async update(em: EntityManager, actor: Actor, id: string, changes: CustomerChanges, expectedVersion?: number | null): Promise<Customer> {
    validateChanges(changes);
    return rethrowUniqueViolation(
      writeTransaction(em, async (tx) => {
        await lockIdentities(tx, actor.workspaceId, { emails: [changes.email], externalIds: changes.externalIdsAdd });
        const customer = await lockCustomer(tx, actor.workspaceId, id);
        assertExpectedVersion(customer.version, expectedVersion, 'input.expectedVersion');
        await this.change(tx, customer, changes, (index) => `input.externalIdsAdd.${index}`);
        return customer;
      }),
    );
  }

  /**
   * For other modules' inputs (`conversationCreate(input: {customer})`): by id the customer must
   * exist; by email or external id it is found or created (with `customer.created`).
   * `fieldPath` names the reference in the caller's input, for BAD_USER_INPUT field errors.
   */
  async findOrCreateByReference(em: EntityManager, actor: Actor, reference: CustomerReference, fieldPath: string): Promise<Customer> {
    validateReference(reference, fieldPath);
    if (reference.id) return this.find(em, actor.workspaceId, reference.id);
    const workspaceId = actor.workspaceId;
    const externalIds = reference.externalId ? [reference.externalId] : [];
    return rethrowUniqueViolation(
      writeTransaction(em, async (tx) => {
        await lockIdentities(tx, workspaceId, { emails: [reference.email], externalIds });
        const id = reference.externalId ? await findCustomerIdByExternalId(tx, workspaceId, reference.externalId) : await findCustomerIdByEmail(tx, workspaceId, reference.email!);
        if (id) return tx.findOneOrFail(Customer, { id, workspace: workspaceId });
        return this.create(tx, workspaceId, { email: reference.email ?? undefined }, externalIds, () => `${fieldPath}.externalId`);
      }),
    );
  }

  /** A customer of another workspace, or outside a client token's reach, is NOT_FOUND, exactly like one that does not exist. */
  async find(em: EntityManager, workspaceId: string, id: string, reach?: ConversationConditions): Promise<Customer> {
    const customer = await em.findOne(Customer, reach ? { $and: [{ id, workspace: workspaceId }, customersInReachWhere(workspaceId, reach)] } : { id, workspace: workspaceId });
    if (!customer) throw customerNotFound();
    return customer;
  }

  findByExternalId(em: EntityManager, workspaceId: string, externalId: ExternalId): Promise<Customer | null> {
    return em.findOne(Customer, { workspace: workspaceId, ...customerIdsWith.externalId(workspaceId, externalId) });
  }

  /** The keyset query of `customers`: bulk exports read the same list. */
  listQuery(workspaceId: string, filter: CustomerFilterInput | null | undefined, orderBy: CustomerOrderInput | null | undefined, reach?: ConversationConditions): PageQuery<Customer> {
    const where = reach ? { $and: [toCustomerWhere(workspaceId, filter), customersInReachWhere(workspaceId, reach)] } : toCustomerWhere(workspaceId, filter);
    return { entity: Customer, where, sort: toCustomerSort(orderBy), list: 'customers', workspaceId };
  }

  /** With `includeDeleted`, tombstones of deleted and merged customers come beside the live ones, in update order. */
  list(em: EntityManager, workspaceId: string, filter: CustomerFilterInput | null | undefined, orderBy: CustomerOrderInput | null | undefined, args: PageArgs, reach?: ConversationConditions, includeDeleted = false): Promise<Page<Customer | CustomerRow>> {
    const query = this.listQuery(workspaceId, filter, orderBy, reach);
    if (!includeDeleted) return this.pager.page(em, query, args);
    checkDeletedRecordsListable(query.sort.field, reach);
    const window = { after: filter?.updatedAfter };
    return this.pager.pageRowsAlongside<Customer, CustomerRow>(em, query, args, async (position, order, limit) =>
      (await deletedRecordsBeyond(em, workspaceId, 'customer', window, position, order, limit)).map(customerTombstone),
    );
  }

  async noteCreate(em: EntityManager, actor: Actor, customerId: string, body: string): Promise<CustomerNoteCreation> {
    validateNoteBody(body);
    return writeTransaction(em, async (tx) => {
      const customer = await this.find(tx, actor.workspaceId, customerId);
      const note = tx.create(CustomerNote, { workspace: actor.workspaceId, customer, author: actor.label, body });
      await recordEvent(tx, actor.workspaceId, 'customer.note_created', { note: customerNoteSnapshot(note), customer: customerSnapshot(customer) });
      return { note, customer };
    });
  }

  /**
   * Each customer's notes, newest first, for many customers in one statement (`Pager.nestedPages`).
   * The cursor scope names the customer, so one customer's cursor fails on another's notes.
   */
  listNotes(em: EntityManager, workspaceId: string, customerIds: readonly string[], args: PageArgs): Promise<(Page<CustomerNoteRow> | Error)[]> {
    const query = { entity: CustomerNote, parent: 'customer', where: { workspace: workspaceId }, sort: newestFirst, listOf: (id: string) => `customers/${id}/notes`, workspaceId } as const;
    return this.pager.nestedPages(em, query, customerIds, args);
  }

  /** Call with the identities locked and none of them taken. */
  private async create(tx: EntityManager, workspaceId: string, fields: CustomerChanges, externalIds: readonly ExternalId[], fieldOf: (index: number) => string): Promise<Customer> {
    const customer = tx.create(Customer, { workspace: workspaceId, externalIds: Object.fromEntries(externalIds.map(({ system, externalId }) => [system, externalId])) });
    applyChanges(customer, fields);
    await tx.flush();
    await insertExternalIdRows(tx, customer, externalIds, fieldOf);
    await recordEvent(tx, workspaceId, 'customer.created', { customer: customerSnapshot(customer) });
    return customer;
  }

  /** Call with the customer row and the identities in `changes` locked. Records an event only when something changed. */
  private async change(tx: EntityManager, customer: Customer, changes: CustomerChanges, externalIdField: (index: number) => string): Promise<void> {
    const workspaceId = customer.workspace.id;
    if (changes.email && changes.email.toLowerCase() !== customer.email?.toLowerCase()) {
      const ownerId = await findCustomerIdByEmail(tx, workspaceId, changes.email);
      if (ownerId && ownerId !== customer.id) throw identityTaken('input.email', `This email belongs to customer ${ownerId}`, ownerId);
    }
    const before = customerSnapshot(customer);
    applyChanges(customer, changes);
    await unlinkExternalIds(tx, customer, changes.externalIdsRemove ?? []);
    await linkExternalIds(tx, customer, changes.externalIdsAdd ?? [], externalIdField);
    const changed = changedFields(before, customerSnapshot(customer));
    if (changed.length === 0) return;
    customer.updatedAt = new Date();
    customer.version += 1;
    await recordEvent(tx, workspaceId, 'customer.updated', { customer: customerSnapshot(customer), changedFields: changed });
  }
}

const newestFirst = { field: 'createdAt', direction: 'desc' } as const;

/** A deleted or merged customer as a list shows it with `includeDeleted`: id, dates, the merge target; nothing personal. */
function customerTombstone(record: DeletedRecord): CustomerRow & { deletedAt: Date; mergedIntoId: string | null } {
  return {
    id: record.id, version: 0, workspace: null, name: null, email: null, phone: null, locale: null, tags: [], customAttributes: {}, externalIds: {},
    createdAt: record.createdAt, updatedAt: record.deletedAt, deletedAt: record.deletedAt, mergedIntoId: record.mergedIntoId,
  };
}
