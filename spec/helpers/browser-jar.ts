import type { Response } from 'supertest';
import type { FrozenClock } from './frozen-clock';
import { setCookies } from './cookie-app';

interface StoredCookie {
  name: string;
  value: string;
  path: string;
  /** Epoch milliseconds after which the browser drops it. */
  expiresAt: number;
}

/**
 * What a browser does with the cookie transport's cookies, as far as the specs need it
 * (RFC 6265 §5.3-5.4): a cookie is kept by name and path, dropped when its Max-Age runs out
 * (on the app's frozen clock) or when it is sent expired, and sent only to paths its Path
 * matches. No domains: one host.
 */
export class BrowserJar {
  private readonly cookies = new Map<string, StoredCookie>();

  constructor(private readonly clock: FrozenClock) {}

  /** Takes the `Set-Cookie` headers of an answer. */
  receive(response: Response): Response {
    for (const cookie of setCookies(response).values()) {
      const path = typeof cookie.attributes['path'] === 'string' ? cookie.attributes['path'] : '/';
      const key = `${cookie.name}|${path}`;
      const maxAge = Number(cookie.attributes['max-age'] ?? Number.POSITIVE_INFINITY);
      if (maxAge <= 0) this.cookies.delete(key);
      else
        this.cookies.set(key, {
          name: cookie.name,
          value: cookie.value,
          path,
          expiresAt: this.clock.now() + maxAge * 1000,
        });
    }
    return response;
  }

  /** The `Cookie` header a browser sends to `requestPath` (longest paths first). */
  cookieHeader(requestPath: string): string {
    const now = this.clock.now();
    const path = requestPath.split('?')[0] ?? '/';
    return [...this.cookies.values()]
      .filter((cookie) => cookie.expiresAt > now && pathMatches(path, cookie.path))
      .sort((a, b) => b.path.length - a.path.length)
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  /** The value of a cookie the page can read (or any cookie, for the spec), if the browser still has it. */
  value(name: string): string | undefined {
    const now = this.clock.now();
    return [...this.cookies.values()].find((c) => c.name === name && c.expiresAt > now)?.value;
  }

  names(): string[] {
    const now = this.clock.now();
    return [...this.cookies.values()].filter((c) => c.expiresAt > now).map((c) => c.name);
  }
}

/** RFC 6265 §5.1.4 path-match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/';
}
