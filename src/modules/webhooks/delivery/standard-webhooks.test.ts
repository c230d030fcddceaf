import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret, signDelivery } from './standard-webhooks';

describe('Standard Webhooks signing', () => {
  it('produces headers the standardwebhooks package verifies', () => {
    const secret = generateWebhookSecret();
    const body = JSON.stringify({ id: 'evt_1', type: 'conversation.created', data: { a: 1 } });
    const headers = signDelivery('evt_1', body, [secret]);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('signs with both secrets during a rotation overlap, and either verifies', () => {
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const body = '{"id":"evt_2"}';
    const headers = signDelivery('evt_2', body, [newSecret, oldSecret]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(oldSecret).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(newSecret).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(generateWebhookSecret()).verify(body, { ...headers })).toThrow();
  });

  it('is refused when the body was altered', () => {
    const secret = generateWebhookSecret();
    const headers = signDelivery('evt_3', '{"amount":1}', [secret]);
    expect(() => new Webhook(secret).verify('{"amount":2}', { ...headers })).toThrow();
  });
});
