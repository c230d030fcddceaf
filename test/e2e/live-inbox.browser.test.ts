import type { Browser, Page } from 'playwright-core';
import { startLiveInbox, type LiveInbox } from '../../examples/live-inbox/server';
import { createApiKey } from '../support/api-keys';
import { freePort } from '../support/free-port';
import { postGraphQL } from '../support/graphql-client';
import { launchChromium } from '../support/launch-chromium';
import { startGateway, type TestGateway } from '../support/start-gateway';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const createMutation = /* GraphQL */ `
  mutation Create($subject: String!, $inbox: String!) { conversationCreate(input: { subject: $subject, channel: WEB_CHAT, inbox: $inbox }) { conversation { id } } }
`;


describe('INBOX: the live-inbox example in headless Chromium', () => {
  let database: TestDatabase;
  let gatewayPort: number;
  let gateway: TestGateway;
  /** A second instance on the same database: it writes while the first restarts. */
  let writer: TestGateway;
  let inbox: LiveInbox;
  let browser: Browser;
  let adminSecret: string;
  const pages: Page[] = [];

  const startServing = (env: Record<string, string>) => startGateway({ database, env: { ...env, PORT: String(gatewayPort) } });
  const create = async (subject: string, inboxName = 'support') =>
    (await postGraphQL(writer.graphqlUrl, createMutation, { subject, inbox: inboxName }, { secret: adminSecret })).body.data!.conversationCreate.conversation.id as string;
  const openPage = async (inboxName: string) => {
    const page = await browser.newPage();
    pages.push(page);
    await page.goto(`${inbox.url}/?inbox=${inboxName}`);
    await page.waitForSelector('#state:text("live")', { timeout: 10_000 });
    return page;
  };
  const idsOn = (page: Page) => page.$$eval('#conversations li', (items) => items.map((item) => item.getAttribute('data-id')!));

  let corsEnv: Record<string, string>;
  beforeAll(async () => {
    database = await createTestDatabase();
    gatewayPort = await freePort();
    const inboxPort = await freePort();
    corsEnv = { CORS_ORIGINS: `http://127.0.0.1:${inboxPort}` };
    gateway = await startServing(corsEnv);
    adminSecret = gateway.adminSecret;
    writer = await startGateway({ database });
    const backendKey = await createApiKey(gateway.graphqlUrl, adminSecret, { scopes: ['tokens:write', 'conversations:read', 'events:read'] });
    inbox = await startLiveInbox({ gatewayUrl: gateway.url, gatewayKey: backendKey.secret, port: inboxPort });
    browser = await launchChromium();
    for (let index = 0; index < 3; index++) await create(`Existing support ${index}`);
    await create('Existing sales', 'sales');
  });
  afterAll(async () => {
    await browser?.close();
    await inbox?.close();
    await writer?.stop();
    await gateway?.stop();
    await database?.drop();
  });

  it('INBOX-01 the page lists the inbox, and a conversation created through the API appears within 2 s', async () => {
    const page = await openPage('support');
    expect(await idsOn(page)).toHaveLength(3);

    const id = await create('Fresh from the API');

    await page.waitForSelector(`#conversations li[data-id="${id}"]`, { timeout: 2_000 });
  });

  it('INBOX-02 after the gateway restarts, nothing created meanwhile is missing, and nothing is shown twice', async () => {
    const page = await openPage('support');
    const before = await create('Before the restart');
    await page.waitForSelector(`#conversations li[data-id="${before}"]`, { timeout: 10_000 });

    await gateway.stop();
    const whileDown = [await create('While down 1'), await create('While down 2')];
    gateway = await startServing(corsEnv);
    const after = await create('After the restart');

    for (const id of [...whileDown, after]) await page.waitForSelector(`#conversations li[data-id="${id}"]`, { timeout: 15_000 });
    const ids = await idsOn(page);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining([before, ...whileDown, after]));
  });

  it('INBOX-03 a page for another inbox, with its own token, shows nothing of this one, then or live', async () => {
    const sales = await openPage('sales');
    const support = await openPage('support');
    const salesIds = await idsOn(sales);

    const supportOnly = await create('Support only');
    const salesToo = await create('Sales live', 'sales');
    await sales.waitForSelector(`#conversations li[data-id="${salesToo}"]`, { timeout: 10_000 });
    await support.waitForSelector(`#conversations li[data-id="${supportOnly}"]`, { timeout: 10_000 });

    const supportIds = await idsOn(support);
    const shownOnSales = await idsOn(sales);
    expect(salesIds).toHaveLength(1);
    expect(shownOnSales).toHaveLength(2);
    expect(shownOnSales.filter((id) => supportIds.includes(id))).toEqual([]);
  });
});
