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
  readonly tags: readonly string[];
  readonly subjects: readonly string[];
  readonly openers: readonly string[];
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
    tags: ['billing', 'invoice', 'refund'],
    subjects: ['Charged twice this month', 'Question about invoice INV-{number}', 'Refund request', 'Update the card on file', 'VAT number missing on invoice'],
    openers: [
      'Hi, I was charged twice for my {plan} subscription this month. Can you refund the duplicate?',
      'Hello, invoice INV-{number} shows the wrong company address. Could you reissue it?',
      'I downgraded last week but was still billed for the old plan. Please check.',
      'Our card expired and I cannot find where to update it. Help please.',
    ],
    agentReplies: [
      'Hi {customer}, thanks for flagging this. I can see the charge and I am looking into it now.',
      'Thanks {customer}! Could you confirm the last four digits of the card that was charged?',
      'I have checked your account: the second charge is a pending authorisation and should drop off within 3–5 days.',
    ],
    customerFollowUps: ['It ends in {number}.', 'Thanks, how long will the refund take?', 'Could you send the corrected invoice to our accounts team as well?'],
    resolutions: [
      'I have refunded the duplicate charge; you will see it on your statement within 5–10 business days.',
      'The corrected invoice is attached to your account under Billing → Invoices. Anything else I can help with?',
    ],
    escalationReasons: ['Refund above agent approval limit', 'Possible payment processor error'],
  },
  access: {
    weight: 18,
    team: 'frontline',
    escalationTeam: 'technical',
    tags: ['login', 'account', '2fa'],
    subjects: ['Cannot log in', 'Password reset email never arrives', 'Lost my 2FA device', 'Locked out of my account', 'Add a teammate to our workspace'],
    openers: [
      'I keep getting "invalid credentials" even after resetting my password.',
      'The password reset email never arrives. I checked spam too.',
      'I got a new phone and lost access to my authenticator app. How do I get back in?',
      'How do I invite a colleague? The invite button is greyed out for me.',
    ],
    agentReplies: [
      'Sorry about that, {customer}! I have sent a fresh reset link, it is valid for 30 minutes.',
      'To protect your account I need to verify your identity first. Can you confirm the email you signed up with?',
      'Invites are limited to admins on the {plan} plan. I can see your role is Member; an admin can change that under Settings → Team.',
    ],
    customerFollowUps: ['Still nothing, I am afraid.', 'Yes, it is the one I am writing from.', 'Got it, trying again now.'],
    resolutions: ['I have reset your two-factor settings. You can log in and enrol your new device now.', 'Glad you are back in! I have also whitelisted our sender so future emails arrive.'],
    escalationReasons: ['Identity could not be verified', 'Suspicious login attempts'],
  },
  bug: {
    weight: 18,
    team: 'technical',
    escalationTeam: 'technical',
    tags: ['bug', 'export', 'performance'],
    subjects: ['CSV export is empty', 'Dashboard will not load', 'Error {number} when saving', 'Reports show yesterday\'s data', 'Attachments fail to upload'],
    openers: [
      'When I export the contacts list as CSV, the file only has the header row.',
      'The dashboard has been spinning for ten minutes. Other pages work fine.',
      'Saving a template fails with error {number}. It worked yesterday.',
      'Uploading a 4 MB PDF fails every time with "something went wrong".',
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
    tags: ['how-to', 'onboarding'],
    subjects: ['How do I set up automations?', 'Importing our old data', 'Where can I change the language?', 'Connecting our shared inbox', 'Question about reporting'],
    openers: [
      'Is there a way to auto-assign new conversations to whoever is on shift?',
      'We are moving over from another tool. Can we import about {number} past tickets?',
      'How do I switch the interface to another language?',
      'What is the difference between a team and an inbox?',
    ],
    agentReplies: [
      'Great question, {customer}! Go to Settings → Automations and pick the "Round robin" rule.',
      'Yes, we support CSV imports. Here is our import guide, and I am happy to check your file first.',
      'You can change it under Profile → Preferences → Language. It applies right away.',
    ],
    customerFollowUps: ['Perfect, found it.', 'Does that also work for the weekend shift?', 'I have attached our export file.'],
    resolutions: ['Happy to help! I have also linked our automation guide in case you want to go further.', 'Your import finished: all records are in. Let me know if anything looks off.'],
    escalationReasons: ['Custom onboarding requested'],
  },
  featureRequest: {
    weight: 8,
    team: 'success',
    escalationTeam: 'success',
    tags: ['feature-request', 'feedback'],
    subjects: ['Feature request: dark mode', 'Could you add Slack notifications?', 'Bulk edit for tags', 'Suggestion for the mobile app'],
    openers: [
      'Our team works late and would love a dark mode. Any plans?',
      'It would be great to get a Slack message when a VIP customer writes in.',
      'Editing tags one by one takes forever. Is bulk edit on the roadmap?',
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
    tags: ['api', 'integration', 'webhooks'],
    subjects: ['Webhooks stopped arriving', 'API returns 429', 'HubSpot sync is missing contacts', 'GraphQL pagination question'],
    openers: [
      'Our webhook endpoint has not received anything since yesterday evening.',
      'We are hitting 429 responses with only a few requests per second. What are the limits?',
      'About {number} contacts are missing after the HubSpot sync.',
    ],
    agentReplies: [
      'Thanks {customer}. I can see delivery attempts failing with a TLS error on your endpoint. Did a certificate change recently?',
      'Your key is limited to 600 requests per minute. The RateLimit headers show how much is left.',
      'Could you share the id of one contact that is missing? I will trace it through the sync log.',
    ],
    customerFollowUps: ['We renewed the certificate yesterday, yes.', 'Here is one of them: {number}.', 'Can the limit be raised for our key?'],
    resolutions: ['Deliveries are flowing again and the backlog has been replayed.', 'The sync completed with all contacts. The missing ones had an invalid email in HubSpot.'],
    escalationReasons: ['Needs investigation by the integrations team', 'Possible platform incident'],
  },
  cancellation: {
    weight: 5,
    team: 'success',
    escalationTeam: 'success',
    tags: ['cancellation', 'churn-risk'],
    subjects: ['Cancel our subscription', 'Downgrade to a smaller plan', 'Pausing our account over the summer'],
    openers: [
      'We would like to cancel at the end of this billing period.',
      'We have fewer seats now. Can we move from {plan} to a smaller plan?',
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
