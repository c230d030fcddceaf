export { BusinessCalendar, SlaPolicy } from './sla.entities';
export { SlaService } from './sla.service';
export { SlaResolver } from './sla.resolver';
