import type { Random } from './random';

interface LocaleProfile {
  readonly weight: number;
  readonly firstNames: readonly string[];
  readonly lastNames: readonly string[];
  /** An E.164 number in a range set aside for fiction where the country has one. */
  phone(random: Random): string;
}

const digits = (random: Random, length: number) => random.string('0123456789', length);

export const localeProfiles: Readonly<Record<string, LocaleProfile>> = {
  'en-US': {
    weight: 40,
    firstNames: ['James', 'Emily', 'Michael', 'Olivia', 'David', 'Sophia', 'Daniel', 'Ava', 'Chris', 'Madison', 'Tyler', 'Hannah', 'Marcus', 'Grace', 'Kevin', 'Jasmine', 'Ryan', 'Aaliyah', 'Brandon', 'Natalie'],
    lastNames: ['Johnson', 'Williams', 'Brown', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Anderson', 'Thompson', 'Nguyen', 'Robinson', 'Walker', 'Kim', 'Patel', 'Carter', 'Brooks', 'Reed'],
    phone: (random) => `+1${random.pick(['202', '312', '415', '512', '646', '720'])}55501${digits(random, 2)}`,
  },
  'en-GB': {
    weight: 15,
    firstNames: ['Oliver', 'Amelia', 'Harry', 'Isla', 'George', 'Poppy', 'Jack', 'Freya', 'Alfie', 'Imogen', 'Rhys', 'Niamh'],
    lastNames: ['Smith', 'Jones', 'Taylor', 'Evans', 'Wright', 'Hughes', 'Clarke', 'Hall', 'Khan', 'Murphy', 'Price', 'Ward'],
    phone: (random) => `+447700900${digits(random, 3)}`,
  },
  'de-DE': {
    weight: 12,
    firstNames: ['Lukas', 'Anna', 'Jonas', 'Lea', 'Felix', 'Marie', 'Paul', 'Sophie', 'Maximilian', 'Johanna', 'Tobias', 'Katharina'],
    lastNames: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Becker', 'Hoffmann', 'Schulz', 'Koch', 'Wagner', 'Richter', 'Braun'],
    phone: (random) => `+493023125${digits(random, 3)}`,
  },
  'fr-FR': {
    weight: 10,
    firstNames: ['Louis', 'Camille', 'Hugo', 'Chloé', 'Arthur', 'Léa', 'Jules', 'Manon', 'Gabriel', 'Inès', 'Théo', 'Zoé'],
    lastNames: ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Laurent', 'Girard', 'Fournier'],
    phone: (random) => `+3363998${digits(random, 4)}`,
  },
  'es-ES': {
    weight: 8,
    firstNames: ['Alejandro', 'Lucía', 'Pablo', 'María', 'Javier', 'Paula', 'Diego', 'Carmen', 'Sergio', 'Elena'],
    lastNames: ['García', 'Fernández', 'López', 'Sánchez', 'Pérez', 'Gómez', 'Ruiz', 'Díaz', 'Moreno', 'Navarro'],
    phone: (random) => `+346${digits(random, 8)}`,
  },
  'pt-BR': {
    weight: 7,
    firstNames: ['João', 'Ana', 'Pedro', 'Beatriz', 'Lucas', 'Larissa', 'Rafael', 'Fernanda', 'Gustavo', 'Juliana'],
    lastNames: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Costa', 'Pereira', 'Almeida', 'Ferreira', 'Ribeiro', 'Carvalho'],
    phone: (random) => `+55119${digits(random, 8)}`,
  },
  'nl-NL': {
    weight: 5,
    firstNames: ['Daan', 'Emma', 'Sem', 'Julia', 'Bram', 'Fleur', 'Thijs', 'Sanne'],
    lastNames: ['de Jong', 'Jansen', 'de Vries', 'van Dijk', 'Bakker', 'Visser', 'Smit', 'Meijer'],
    phone: (random) => `+316${digits(random, 8)}`,
  },
  'en-AU': {
    weight: 3,
    firstNames: ['Jack', 'Charlotte', 'Liam', 'Matilda', 'Cooper', 'Ruby', 'Lachlan', 'Zara'],
    lastNames: ['Wilson', 'Mitchell', 'Campbell', 'Kelly', 'Stewart', 'Ryan', 'Harris', 'Cooper'],
    phone: (random) => `+61491570${digits(random, 3)}`,
  },
};

export const localeWeights = Object.fromEntries(Object.entries(localeProfiles).map(([locale, { weight }]) => [locale, weight]));

/** Invented businesses; their mail domains end in `.example`, so no address can reach anyone. */
export const companies = [
  'Northwind Traders', 'Bluebird Bakery', 'Pinecrest Dental', 'Harbor & Pine Outfitters', 'Tidewater Logistics', 'Copperleaf Studio',
  'Greenline Energy', 'Lakeside Veterinary', 'Brightpath Tutoring', 'Summit Ridge Realty', 'Foxglove Florals', 'Ironbark Construction',
  'Kestrel Analytics', 'Maple & Main Cafe', 'Orchid Wellness', 'Quarry Lane Books', 'Redwood Legal', 'Silverstream Travel',
  'Canopy Coworking', 'Driftwood Surf Co', 'Elmstead Accounting', 'Fjord Outdoor', 'Granite Peak Fitness', 'Hollow Oak Brewing',
  'Juniper Health', 'Larkspur Events', 'Meridian Freight', 'Nimbus Cloudworks', 'Oakhurst Academy', 'Pebble Beach Rentals',
  'Saffron Kitchen', 'Thistle & Thorn Gardens', 'Umber Ceramics', 'Violet Hour Cocktails', 'Willowbrook Clinic', 'Zephyr Bikes',
];

export const personalMailDomains = ['example.com', 'example.net', 'example.org', 'mail.example'];

/** `Harbor & Pine Outfitters` → `harbor-pine-outfitters`; also strips accents from names. */
export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Teams of the demo support organisation; conversations route to them by topic. */
export const teamNames = {
  frontline: 'Frontline Support',
  billing: 'Billing & Accounts',
  technical: 'Technical Support',
  success: 'Customer Success',
} as const;

export type TeamKey = keyof typeof teamNames;

export const agentRoster: readonly { readonly name: string; readonly team: TeamKey }[] = [
  { name: 'Maya Patel', team: 'frontline' },
  { name: 'Jordan Lee', team: 'frontline' },
  { name: 'Sofia Rossi', team: 'frontline' },
  { name: 'Ethan Brooks', team: 'frontline' },
  { name: 'Priya Raman', team: 'billing' },
  { name: 'Lucas Meyer', team: 'billing' },
  { name: 'Hannah Okafor', team: 'billing' },
  { name: 'Noah Fischer', team: 'technical' },
  { name: 'Aisha Khan', team: 'technical' },
  { name: 'Tomás Herrera', team: 'technical' },
  { name: 'Chloe Martin', team: 'success' },
  { name: 'Daniel Osei', team: 'success' },
];

export const agentMailDomain = 'brightdesk.example';
