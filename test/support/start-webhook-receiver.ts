import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly receivedAt: number;
  /** Whether standardwebhooks accepted the signature with the receiver's secret. */
  readonly isSignatureValid: boolean;
  /** The status the receiver answered, or undefined while (or because) it hung. */
  readonly answeredStatus: number | undefined;
}

/** Whether one of the webhook's signatures verifies with `secret` (standardwebhooks accepts any of them). */
export function isSignedWith(webhook: ReceivedWebhook, secret: string): boolean {
  try {
    new Webhook(secret).verify(webhook.body, webhook.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/** A real HTTP receiver on a random loopback port that verifies Standard Webhooks signatures. */
export async function startWebhookReceiver(reply: (request: number) => Reply = () => ({ status: 200 })) {
  const received: ReceivedWebhook[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const hanging: ServerResponse[] = [];
  let verifier: Webhook | undefined;
  let openRequests = 0;
  let maxOpenRequests = 0;
  const server = createServer((request, response) => {
    maxOpenRequests = Math.max(maxOpenRequests, ++openRequests);
    response.once('close', () => openRequests--);
    const chunks: Buffer[] = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let isSignatureValid = true;
      try {
        if (!verifier) throw new Error('no secret to verify with yet');
        verifier.verify(body, request.headers as Record<string, string>);
      } catch {
        isSignatureValid = false;
      }
      const answer = reply(received.length + 1);
      received.push({ method: request.method ?? '', headers: request.headers, body, receivedAt: Date.now(), isSignatureValid, answeredStatus: answer === 'hang' ? undefined : answer.status });
      for (const waiter of waiters.filter((candidate) => received.length >= candidate.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      if (answer === 'hang') return void hanging.push(response);
      response.writeHead(answer.status, answer.headers ?? {});
      response.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    /** The most requests this receiver had open at once (answered or hanging). */
    get maxOpenRequests() {
      return maxOpenRequests;
    },
    /** The endpoint's signing secret, known once the endpoint is registered. */
    verifyWith(secret: string) {
      verifier = new Webhook(secret);
    },
    /** Waits for the n-th request (bounded). */
    waitFor(count: number, timeoutMs = 15_000): Promise<ReceivedWebhook[]> {
      if (received.length >= count) return Promise.resolve(received);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`waited ${timeoutMs} ms for ${count} webhooks, got ${received.length}`)), timeoutMs);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve(received)) });
      });
    },
    async stop() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
