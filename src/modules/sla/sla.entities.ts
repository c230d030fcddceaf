import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../platform/ids';
import { Workspace } from '../workspaces/workspace.entity';
import type { BusinessCalendarSpec } from './business-hours';

@Entity({ tableName: 'business_calendars' })
export class BusinessCalendar {
  [OptionalProps]?: 'id' | 'holidays' | 'createdAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('cal');

  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Workspace;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text' })
  timeZone!: string;

  @Property({ type: 'json', columnType: 'jsonb' })
  weeklyHours!: BusinessCalendarSpec['weeklyHours'];

  @Property({ type: 'json', columnType: 'jsonb' })
  holidays: string[] = [];

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  createdAt: Date = new Date();
}

/** Minutes per target for one priority; null: no such target. */
export interface SlaTargets {
  readonly firstResponseMinutes: number | null;
  readonly nextResponseMinutes: number | null;
  readonly resolutionMinutes: number | null;
}

/** Which conversations a policy applies to: each given list must hold the conversation's value. */
export interface SlaConditions {
  readonly priorities?: readonly string[];
  readonly channels?: readonly string[];
  readonly inboxes?: readonly string[];
  readonly teamIds?: readonly string[];
}

@Entity({ tableName: 'sla_policies' })
export class SlaPolicy {
  [OptionalProps]?: 'id' | 'conditions' | 'calendarId' | 'warnBeforeMinutes' | 'pauseWhilePending' | 'createdAt' | 'updatedAt' | 'version';

  @PrimaryKey({ type: 'text' })
  id: string = newId('sla');

  /** Raised by one with every change of a setting (optimistic concurrency: `expectedVersion`). */
  @Property({ type: 'integer' })
  version = 1;

  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Workspace;

  @Property({ type: 'text' })
  name!: string;

  /** Policies are tried in this order; the first whose conditions hold applies. */
  @Property({ type: 'integer' })
  position!: number;

  @Property({ type: 'json', columnType: 'jsonb' })
  conditions: SlaConditions = {};

  /** By stored priority (`low`, `normal`, `high`, `urgent`). */
  @Property({ type: 'json', columnType: 'jsonb' })
  targets!: Record<string, SlaTargets>;

  /** Business hours the targets count in; null: calendar hours. */
  @Property({ type: 'text', nullable: true })
  calendarId: string | null = null;

  @Property({ type: 'integer' })
  warnBeforeMinutes = 15;

  /** Time the conversation spends in PENDING (waiting on the customer) does not count toward its targets. */
  @Property({ type: 'boolean' })
  pauseWhilePending = false;

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ columnType: 'timestamptz(3)', type: 'datetime' })
  updatedAt: Date = new Date();
}
