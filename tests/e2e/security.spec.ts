import { expect, test } from '@playwright/test';
import { PASSWORD, signUp, unique } from './helpers';

/**
 * On the production server: security headers on pages and API responses, and the session
 * cookie's flags — HttpOnly and SameSite=Lax always; Secure with the __Secure- prefix when the
 * app is reached over HTTPS (behind a TLS-terminating proxy that sets X-Forwarded-Proto).
 */
test('security headers are sent on pages and API routes', async ({ request }) => {
  for (const url of ['/sign-in', '/api/health']) {
    const res = await request.get(url);
    const h = res.headers();
    expect(h['x-content-type-options'], url).toBe('nosniff');
    expect(h['referrer-policy'], url).toBe('strict-origin-when-cross-origin');
    expect(h['x-frame-options'], url).toBe('DENY');
    expect(h['content-security-policy'], url).toContain("frame-ancestors 'none'");
    expect(h['content-security-policy'], url).toContain("default-src 'self'");
    expect(h['x-powered-by'], url).toBeUndefined();
  }
});

async function signInCookies(request: import('@playwright/test').APIRequestContext, email: string, headers: Record<string, string>) {
  const csrf = await request.get('/api/auth/csrf', { headers });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await request.post('/api/auth/callback/credentials', { headers, form: { email, password: PASSWORD, csrfToken }, maxRedirects: 0 });
  return res
    .headersArray()
    .filter((h) => h.name.toLowerCase() === 'set-cookie')
    .map((h) => h.value);
}

test('the session cookie is HttpOnly and SameSite=Lax, and Secure behind HTTPS', async ({ page, playwright, baseURL }) => {
  const email = `${unique('cookie')}@example.test`;
  await signUp(page, 'Cookie Tester', email);
  await expect(page).not.toHaveURL(/sign-up/);

  const plain = await playwright.request.newContext({ baseURL });
  const cookies = await signInCookies(plain, email, {});
  const session = cookies.find((c) => /^authjs\.session-token=/.test(c));
  expect(session, cookies.join('\n')).toBeTruthy();
  expect(session).toMatch(/;\s*HttpOnly/i);
  expect(session).toMatch(/;\s*SameSite=Lax/i);
  await plain.dispose();

  const https = await playwright.request.newContext({ baseURL });
  const secureCookies = await signInCookies(https, email, { 'x-forwarded-proto': 'https' });
  const secure = secureCookies.find((c) => /^__Secure-authjs\.session-token=/.test(c));
  expect(secure, secureCookies.join('\n')).toBeTruthy();
  expect(secure).toMatch(/;\s*Secure/i);
  expect(secure).toMatch(/;\s*HttpOnly/i);
  expect(secure).toMatch(/;\s*SameSite=Lax/i);
  await https.dispose();
});
