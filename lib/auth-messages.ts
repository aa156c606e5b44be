/** Text for the sign-in error codes set in server/auth/config.ts. */
export function signInErrorMessage(code: string | undefined): string {
  if (code?.startsWith('rate_limited')) {
    const minutes = Number(code.split(':')[1] ?? 15);
    return `Too many failed sign-in attempts for this account. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
  }
  return 'Wrong e-mail address or password.';
}
