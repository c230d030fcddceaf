import { newId } from '../../platform/ids';
import type { DemoAgent, DemoConversation, DemoCustomer, DemoCustomerNote, DemoTeam } from './demo-data-set';
import { agentMailDomain, agentRoster, companies, localeProfiles, localeWeights, personalMailDomains, slugify, teamNames, type TeamKey } from './names';
import { phrases } from './phrases';
import type { Random } from './random';

export const hourMs = 3_600_000;
export const dayMs = 24 * hourMs;

const before = (now: Date, milliseconds: number) => new Date(now.getTime() - Math.round(milliseconds));

export function generateTeams(now: Date): { teams: DemoTeam[]; teamIds: Record<TeamKey, string> } {
  const teams = Object.values(teamNames).map((name) => ({ id: newId('team'), name, createdAt: before(now, 420 * dayMs) }));
  const teamIds = Object.fromEntries(Object.keys(teamNames).map((key, index) => [key, teams[index].id])) as Record<TeamKey, string>;
  return { teams, teamIds };
}

export function generateAgents(random: Random, now: Date, teamIds: Record<TeamKey, string>) {
  const agentsByTeam = { frontline: [], billing: [], technical: [], success: [] } as Record<TeamKey, DemoAgent[]>;
  const agents = agentRoster.map(({ name, team }) => {
    const agent: DemoAgent = {
      id: newId('agt'),
      teamId: teamIds[team],
      name,
      email: `${slugify(name).replace('-', '.')}@${agentMailDomain}`,
      createdAt: before(now, random.between(120, 400) * dayMs),
    };
    agentsByTeam[team].push(agent);
    return agent;
  });
  return { agents, agentsByTeam };
}

const plansForBusinesses = { starter: 30, pro: 42, enterprise: 28 };
const plansForIndividuals = { free: 55, starter: 35, pro: 10 };
const seatsByPlan: Readonly<Record<string, [number, number]>> = { starter: [2, 5], pro: [5, 40], enterprise: [40, 400] };

export function generateCustomers(random: Random, now: Date, count: number): DemoCustomer[] {
  const usedEmails = new Set<string>();
  let nextHubspotId = 5_100_000 + random.int(0, 90_000);
  return Array.from({ length: count }, () => {
    const locale = random.weighted(localeWeights);
    const profile = localeProfiles[locale];
    const firstName = random.pick(profile.firstNames);
    const lastName = random.pick(profile.lastNames);
    const company = random.chance(0.6) ? random.pick(companies) : null;
    const plan: string = company ? random.weighted(plansForBusinesses) : random.weighted(plansForIndividuals);
    const email = random.chance(0.97) ? uniqueEmail(random, usedEmails, firstName, lastName, company) : null;
    const customAttributes: Record<string, unknown> = { plan };
    if (company) {
      const [minSeats, maxSeats] = seatsByPlan[plan] ?? [1, 1];
      Object.assign(customAttributes, { company, seats: random.int(minSeats, maxSeats) });
    }
    const externalIds: Record<string, string> = {};
    if (random.chance(0.45)) externalIds.hubspot = String((nextHubspotId += random.int(1, 400)));
    if (plan === 'enterprise' && random.chance(0.7)) externalIds.salesforce = `0035g00000${random.string('ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789', 8)}`;
    return {
      id: newId('cus'),
      name: random.chance(0.03) ? null : `${firstName} ${lastName}`,
      email,
      phone: !email || random.chance(0.35) ? profile.phone(random) : null,
      locale,
      tags: customerTags(random, plan),
      customAttributes,
      externalIds,
      // Provisional: settleCustomerDates moves it before the customer's first conversation.
      createdAt: before(now, (10 + 390 * random.next() ** 0.7) * dayMs),
      updatedAt: now,
    };
  });
}

function uniqueEmail(random: Random, usedEmails: Set<string>, firstName: string, lastName: string, company: string | null): string {
  const first = slugify(firstName);
  const last = slugify(lastName).replace(/-/g, '');
  const domain = company ? `${slugify(company)}.example` : random.pick(personalMailDomains);
  const localPart = company
    ? random.pick([`${first}.${last}`, `${first}`, `${first[0]}${last}`])
    : random.pick([`${first}.${last}`, `${first}${last}`, `${first}_${last}${random.int(1, 99)}`, `${first[0]}.${last}`]);
  let email = `${localPart}@${domain}`;
  for (let suffix = 2; usedEmails.has(email); suffix++) email = `${localPart}${suffix}@${domain}`;
  usedEmails.add(email);
  return email;
}

function customerTags(random: Random, plan: string): string[] {
  const tags: string[] = [];
  if (random.chance(plan === 'enterprise' ? 0.5 : 0.03)) tags.push('vip');
  if (random.chance(0.1)) tags.push('beta');
  if (random.chance(0.06)) tags.push('churn-risk');
  if (random.chance(0.3)) tags.push('newsletter');
  if (plan === 'free' && random.chance(0.4)) tags.push('trial');
  return tags;
}

/** Moves each customer's creation before their first conversation, then picks a last update since. */
export function settleCustomerDates(random: Random, now: Date, customers: DemoCustomer[], conversations: readonly Pick<DemoConversation, 'customerId' | 'createdAt'>[]): void {
  const firstContactById = new Map<string, number>();
  for (const { customerId, createdAt } of conversations) {
    firstContactById.set(customerId, Math.min(firstContactById.get(customerId) ?? Infinity, createdAt.getTime()));
  }
  for (const customer of customers) {
    const firstContact = firstContactById.get(customer.id);
    if (firstContact !== undefined && customer.createdAt.getTime() >= firstContact) {
      customer.createdAt = new Date(firstContact - random.between(1, 30 * 24) * hourMs);
    }
    const lifetimeMs = now.getTime() - customer.createdAt.getTime();
    customer.updatedAt = new Date(customer.createdAt.getTime() + Math.round(lifetimeMs * random.next() ** 0.5));
  }
}

export function generateCustomerNotes(random: Random, now: Date, customers: readonly DemoCustomer[], agents: readonly DemoAgent[]): DemoCustomerNote[] {
  return customers
    .filter(() => random.chance(0.08))
    .flatMap((customer) =>
      Array.from({ length: random.int(1, 2) }, () => ({
        id: newId('cnote'),
        customerId: customer.id,
        author: random.pick(agents).id,
        body: random.pick(phrases.customerNotes),
        createdAt: new Date(random.between(customer.createdAt.getTime(), now.getTime())),
      })),
    );
}
