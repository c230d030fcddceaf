/// <reference lib="dom" />
// Functions passed to page.evaluate run in the page, hence the DOM types.
import type { Browser } from 'playwright-core';
import { postGraphQL } from '../support/graphql-client';
import { launchChromium } from '../support/launch-chromium';
import { startGateway, type TestGateway } from '../support/start-gateway';

describe('GRAPHIQL: the served GraphiQL works in a browser', () => {
  let gateway: TestGateway;
  let browser: Browser;
  beforeAll(async () => {
    gateway = await startGateway();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('GRAPHIQL-04 with a key in the headers editor, a query answers over HTTP and a subscription streams over WebSocket', async () => {
    const page = await browser.newPage();
    await page.goto(gateway.graphqlUrl);
    await page.waitForSelector('.graphiql-query-editor .CodeMirror');
    const setEditor = (selector: string, value: string) =>
      page.evaluate(([target, text]) => (document.querySelector(target) as unknown as { CodeMirror: { setValue(value: string): void } }).CodeMirror.setValue(text), [selector, value] as const);
    // The headers editor is the tool editor that is not hidden (GraphiQL opens on it here).
    await setEditor('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror', JSON.stringify({ Authorization: `Bearer ${gateway.adminSecret}` }));
    const results = () => page.evaluate(() => (document.querySelector('.graphiql-response .CodeMirror') as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());

    await setEditor('.graphiql-query-editor .CodeMirror', '{ viewer { scopes } }');
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => document.querySelector('.graphiql-response')?.textContent?.includes('"scopes"'));
    expect(JSON.parse(await results()).data.viewer.scopes).toContain('tokens:write');

    await setEditor('.graphiql-query-editor .CodeMirror', 'subscription { events(types: ["conversation.created"]) { type data } }');
    await page.click('.graphiql-execute-button');
    const create = 'mutation { conversationCreate(input: { subject: "Seen in GraphiQL", channel: API }) { conversation { id } } }';
    for (let attempt = 0; attempt < 50 && !(await results()).includes('Seen in GraphiQL'); attempt++) {
      await postGraphQL(gateway.graphqlUrl, create, {}, { secret: gateway.adminSecret });
      await page.waitForTimeout(100);
    }
    expect(JSON.parse(await results()).data.events).toMatchObject({ type: 'conversation.created', data: { conversation: { subject: 'Seen in GraphiQL' } } });
  });
});
