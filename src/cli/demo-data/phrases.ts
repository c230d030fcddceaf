/** Text that fits any topic. Placeholders as in topics.ts; `{team}` is a team name. */
export const phrases = {
  botGreetings: [
    'Hi there! 👋 Thanks for reaching out. An agent will be with you shortly.',
    'Thanks for your message! Our team usually replies within a few minutes.',
    'Hello! While you wait, our help center might already have the answer: help.brightdesk.example',
  ],
  customerNudges: ['Any update on this?', 'Hello? Is anyone there?', 'Just following up on my message above.'],
  customerThanks: ['That worked, thank you so much!', 'Perfect, thanks {agent}!', 'Great, all good now. Thanks for the quick help.', 'Thanks, appreciated.'],
  agentClosings: [
    'You are welcome, {customer}! I will close this conversation now, just reply if anything comes up.',
    'Glad I could help. Have a great day!',
  ],
  agentInformationRequests: [
    'Could you send me a screenshot of what you see? Then I can dig further.',
    'I have sent you a short form to confirm the details. Let me know once it is filled in.',
    'Could you confirm which workspace this is about? You may have more than one.',
  ],
  agentEscalations: [
    'I am escalating this to our {team} team, who can take it from here. You will hear from them soon.',
    'This needs a closer look from our {team} team. I have passed on all the details.',
  ],
  systemAssigned: 'Conversation assigned to {agentFullName}',
  systemEscalated: 'Conversation escalated to {team}',
  systemResolved: 'Conversation marked as resolved by {agentFullName}',
  conversationNotes: [
    'Customer is on a trial that ends this week, worth a follow-up from Success.',
    'Same issue reported by two other customers today; linked to the open incident.',
    'Refund approved by team lead.',
    'Called the customer back, they prefer email from now on.',
    'Checked logs: nothing unusual on our side.',
  ],
  customerNotes: [
    'Key contact for the account; prefers short answers.',
    'Interested in the annual plan, follow up before renewal.',
    'Had a rough onboarding, be extra careful with replies.',
    'Speaks at user meetups, great advocate.',
    'Asked not to be contacted by phone.',
  ],
  feedbackComments: {
    low: ['Took far too long to get an answer.', 'The issue is still not really fixed.', 'Had to explain everything twice.'],
    middle: ['Fine, but it took a while.', 'Solved in the end.', 'OK experience.'],
    high: ['Super fast and friendly, thank you!', 'Great support as always.', 'Solved my problem in minutes.', 'Very helpful, clear explanations.'],
  },
} as const;

/** Inbox names per channel; email routes by topic. */
export const inboxesByChannel: Readonly<Record<string, readonly string[]>> = {
  web_chat: ['Website chat', 'Website chat', 'Help center widget'],
  email: ['Support', 'Support', 'Billing'],
  whatsapp: ['WhatsApp Business'],
  phone: ['Phone support'],
  api: ['Mobile app', 'In-app feedback'],
};

export const webChatPages = ['/pricing', '/account/billing', '/docs/getting-started', '/settings/team', '/dashboard', '/integrations'];
export const browsers = ['Chrome 131', 'Safari 18', 'Firefox 133', 'Edge 131'];
export const appPlatforms = ['ios', 'android'];

export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) => values[name] ?? placeholder);
}
