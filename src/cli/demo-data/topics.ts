import type { TeamKey } from './names';

/**
 * What a conversation is about: where it routes and what people write. Placeholders: `{customer}` and
 * `{agent}` (first names), `{number}` (an invoice, order or error number), `{plan}` (the customer's plan).
 */
export interface Topic {
  readonly weight: number;
  readonly team: TeamKey;
  /** The team that takes it over when escalated. */
  readonly escalationTeam: TeamKey;
  /** A subject with the customer's first message and the conversation's tags. */
  readonly openings: readonly { readonly subject: string; readonly message: string; readonly tags: readonly string[] }[];
  readonly agentReplies: readonly string[];
  readonly customerFollowUps: readonly string[];
  readonly resolutions: readonly string[];
  readonly escalationReasons: readonly string[];
}

export const topics: Readonly<Record<string, Topic>> = {
  billing: {
    weight: 22,
    team: 'billing',
    escalationTeam: 'billing',
    openings: [
      { subject: 'Charged twice this month', message: 'Hi, I was charged twice for my {plan} subscription this month. Can you refund the duplicate?', tags: ['billing', 'refund'] },
      { subject: 'Wrong address on invoice INV-{number}', message: 'Hello, invoice INV-{number} shows our old company address. Could you reissue it?', tags: ['billing', 'invoice'] },
      { subject: 'Billed for the old plan after downgrading', message: 'I downgraded last week but was still billed for the old plan. Please check.', tags: ['billing', 'refund'] },
      { subject: 'Update the card on file', message: 'Our card expired and I cannot find where to update it. Help please.', tags: ['billing'] },
      { subject: 'VAT number missing on invoice', message: 'Our VAT number is missing from the last two invoices, and our accountant needs it on there.', tags: ['billing', 'invoice'] },
    ],
    agentReplies: [
      'Hi {customer}, thanks for flagging this. I am looking into your billing history now.',
      'Thanks {customer}! Could you confirm the email address of the account owner so I pull up the right account?',
      'I have checked your account and can see what happened. Give me a moment to put it right.',
    ],
    customerFollowUps: ['Sure, it is the one I am writing from.', 'Thanks, how long will it take?', 'Could you send a copy to our accounts team as well?'],
    resolutions: [
      'All sorted: the correction is on your account now, and any refund shows on your statement within 5–10 business days.',
      'Done! You will find the updated invoice under Billing → Invoices. Anything else I can help with?',
    ],
    escalationReasons: ['Refund above agent approval limit', 'Possible payment processor error'],
  },
  access: {
    weight: 18,
    team: 'frontline',
    escalationTeam: 'technical',
    openings: [
      { subject: 'Cannot log in', message: 'I keep getting "invalid credentials" even after resetting my password.', tags: ['login'] },
      { subject: 'Password reset email never arrives', message: 'The password reset email never arrives. I checked spam too.', tags: ['login'] },
      { subject: 'Lost my 2FA device', message: 'I got a new phone and lost access to my authenticator app. How do I get back in?', tags: ['login', '2fa'] },
      { subject: 'Cannot invite a teammate', message: 'How do I invite a colleague? The invite button is greyed out for me.', tags: ['account'] },
    ],
    agentReplies: [
      'Sorry about the trouble, {customer}! Let me take a look at your account.',
      'To protect your account I need to verify your identity first. Can you confirm the email you signed up with?',
      'I can see what is going on. Could you try again in a few minutes? I have reset a few settings on our side.',
    ],
    customerFollowUps: ['Still nothing, I am afraid.', 'Yes, it is the one I am writing from.', 'Got it, trying again now.'],
    resolutions: ['You should be all set now. Let me know if anything still does not work.', 'Glad that is working again! I have added a note to your account in case it comes back.'],
    escalationReasons: ['Identity could not be verified', 'Suspicious login attempts'],
  },
  bug: {
    weight: 18,
    team: 'technical',
    escalationTeam: 'technical',
    openings: [
      { subject: 'CSV export is empty', message: 'When I export the contacts list as CSV, the file only has the header row.', tags: ['bug', 'export'] },
      { subject: 'Dashboard will not load', message: 'The dashboard has been spinning for ten minutes. Other pages work fine.', tags: ['bug', 'performance'] },
      { subject: 'Error {number} when saving a template', message: 'Saving a template fails with error {number}. It worked yesterday.', tags: ['bug'] },
      { subject: 'Attachments fail to upload', message: 'Uploading a 4 MB PDF fails every time with "something went wrong".', tags: ['bug'] },
    ],
    agentReplies: [
      'Thanks for the report, {customer}. Which browser and version are you using?',
      'I can reproduce this on our side. Our engineers are looking at it right now.',
      'Could you try once more in a private window? That rules out a cached script.',
    ],
    customerFollowUps: ['Chrome, latest version on macOS.', 'Same result in a private window.', 'Here is a screenshot of the error.'],
    resolutions: ['A fix went out this morning; the export should include all rows now. Could you give it another try?', 'This was caused by a timeout on our side and is fixed now. Sorry for the trouble!'],
    escalationReasons: ['Reproducible bug, needs engineering', 'Data inconsistency reported'],
  },
  howTo: {
    weight: 20,
    team: 'frontline',
    escalationTeam: 'success',
    openings: [
      { subject: 'How do I set up automations?', message: 'Is there a way to auto-assign new conversations to whoever is on shift?', tags: ['how-to'] },
      { subject: 'Importing our old tickets', message: 'We are moving over from another tool. Can we import about {number} past tickets?', tags: ['onboarding'] },
      { subject: 'Where can I change the language?', message: 'How do I switch the interface to another language?', tags: ['how-to'] },
      { subject: 'Teams vs inboxes', message: 'What is the difference between a team and an inbox? We are setting things up for the first time.', tags: ['how-to', 'onboarding'] },
    ],
    agentReplies: [
      'Great question, {customer}! Here is the help center article that walks through it step by step.',
      'Happy to help! Let me check how your workspace is set up first.',
      'Yes, that is possible. I have sent you a short guide, and I am happy to walk you through it on a call.',
    ],
    customerFollowUps: ['Perfect, found it.', 'Does that apply to the whole team?', 'Thanks, I will give it a try.'],
    resolutions: ['Happy to help! I have also linked our getting-started guide in case you want to go further.', 'Great that it works for you now. Reach out any time!'],
    escalationReasons: ['Custom onboarding requested'],
  },
  featureRequest: {
    weight: 8,
    team: 'success',
    escalationTeam: 'success',
    openings: [
      { subject: 'Feature request: dark mode', message: 'Our team works late and would love a dark mode. Any plans?', tags: ['feature-request'] },
      { subject: 'Could you add Slack notifications?', message: 'It would be great to get a Slack message when a VIP customer writes in.', tags: ['feature-request'] },
      { subject: 'Bulk edit for tags', message: 'Editing tags one by one takes forever. Is bulk edit on the roadmap?', tags: ['feature-request', 'feedback'] },
    ],
    agentReplies: [
      'Thanks for the idea, {customer}! I have added your vote to the request and shared your use case with our product team.',
      'Good news: this is on our roadmap for next quarter. I will keep you posted.',
    ],
    customerFollowUps: ['Great, thanks for passing it on.', 'Any rough timeline?'],
    resolutions: ['I have subscribed you to the changelog so you hear about it first. Thanks again for the feedback!'],
    escalationReasons: ['Enterprise customer request'],
  },
  integrations: {
    weight: 9,
    team: 'technical',
    escalationTeam: 'technical',
    openings: [
      { subject: 'Webhooks stopped arriving', message: 'Our webhook endpoint has not received anything since yesterday evening.', tags: ['webhooks', 'integration'] },
      { subject: 'API returns 429', message: 'We are hitting 429 responses with only a few requests per second. What are the limits?', tags: ['api'] },
      { subject: 'HubSpot sync is missing contacts', message: 'About {number} contacts are missing after the HubSpot sync.', tags: ['integration'] },
    ],
    agentReplies: [
      'Thanks {customer}. I am checking the delivery and request logs for your workspace now.',
      'Could you share a request id or a timestamp from your side? I will trace it through our logs.',
      'I can see the failures on our side too. Did anything change in your setup recently?',
    ],
    customerFollowUps: ['We rotated a certificate yesterday, could that be it?', 'Here is one of the request ids: req_{number}.', 'Nothing changed on our side as far as I know.'],
    resolutions: ['Everything is flowing again, and the backlog has been replayed.', 'Found the cause and fixed it; everything should be in sync now.'],
    escalationReasons: ['Needs investigation by the integrations team', 'Possible platform incident'],
  },
  cancellation: {
    weight: 5,
    team: 'success',
    escalationTeam: 'success',
    openings: [
      { subject: 'Cancel our subscription', message: 'We would like to cancel at the end of this billing period.', tags: ['cancellation', 'churn-risk'] },
      { subject: 'Downgrade to a smaller plan', message: 'We have fewer seats now. Can we move from {plan} to a smaller plan?', tags: ['churn-risk'] },
    ],
    agentReplies: [
      'Sorry to hear that, {customer}. May I ask what is not working for you? I may be able to help.',
      'Of course. I can switch you at the end of the current period so you keep everything until then.',
    ],
    customerFollowUps: ['Mostly budget, to be honest.', 'Yes, end of period works for us.'],
    resolutions: ['Done: the change takes effect at the end of your billing period. You can reactivate any time.'],
    escalationReasons: ['Retention offer needs approval'],
  },
};
