import type { RequestListener, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Locator, Page } from 'playwright-core';

/** The demo's cookies, with the default COOKIE_NAME_PREFIX. */
export const ACCESS = '__Host-fastcore-access';
export const REFRESH = '__Secure-fastcore-refresh';
export const CSRF = '__Host-fastcore-csrf';
/** ACCESS_TOKEN_EXPIRE_MINUTES at its default. */
export const ACCESS_LIFETIME_SECONDS = 30 * 60;

/** An `audit.*` line of the demo's log. */
export interface AuditLine {
  event: string;
  reason?: string;
  method?: string;
  path?: string;
}

/** Listens on a loopback port; `handle` is called for every request. */
export async function listen(handle: RequestListener): Promise<{ server: Server; port: number }> {
  const server = createServer(handle);
  server.listen(0, '127.0.0.1');
  await new Promise((ready) => server.once('listening', ready));
  return { server, port: (server.address() as AddressInfo).port };
}

export const close = (server: Server | undefined): Promise<void> =>
  new Promise((done) => (server ? server.close(() => done()) : done()));

/** A `fetch` from the page (its origin, its cookies): the status and the JSON body, if any. */
export function fetchFromPage(
  page: Page,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  return page.evaluate<{ status: number; body: unknown }>(
    `fetch(${JSON.stringify(path)}, { method: ${JSON.stringify(method)}, credentials: 'include',
      headers: ${JSON.stringify(headers)} })
      .then(async (answer) => ({ status: answer.status, body: await answer.json().catch(() => null) }))`,
  );
}

/** Waits until `locator` (the page's status line) shows `text`. */
export async function untilStatus(locator: Locator, text: string): Promise<void> {
  await locator.filter({ hasText: text }).waitFor({ timeout: 10_000 });
}

/** Collects in `problems` the page's CSP and Trusted Types violations and its script errors. */
export function watchPage(page: Page, problems: string[]): void {
  page.on('console', (message) => {
    if (/Content Security Policy|Trusted Type/i.test(message.text())) {
      problems.push(message.text());
    }
  });
  page.on('pageerror', (error) => problems.push(error.message));
}
