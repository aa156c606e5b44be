import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { ZSignInInput } from '@/lib/schemas/auth';
import { authenticate, RateLimitedError } from '../services/users';

/** Codes reach the sign-in form through AuthError.code; lib/auth-messages maps them to text. */
class InvalidCredentials extends CredentialsSignin {
  code = 'invalid_credentials';
}
class RateLimited extends CredentialsSignin {
  constructor(minutes: number) {
    super();
    this.code = `rate_limited:${minutes}`;
  }
}

function clientIp(request: Request | undefined): string {
  const fwd = request?.headers.get('x-forwarded-for');
  return (fwd?.split(',')[0] ?? request?.headers.get('x-real-ip') ?? '').trim();
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  session: { strategy: 'jwt', maxAge: 30 * 24 * 3600 },
  pages: { signIn: '/sign-in' },
  logger: {
    // Failed sign-ins are expected events, already recorded in LoginAttempt; keep logs quiet.
    error(error) {
      if ((error as { type?: string }).type === 'CredentialsSignin') return;
      console.error('[auth]', error);
    },
  },
  providers: [
    Credentials({
      credentials: { email: { label: 'E-mail' }, password: { label: 'Password', type: 'password' } },
      async authorize(credentials, request) {
        const parsed = ZSignInInput.safeParse(credentials);
        if (!parsed.success) throw new InvalidCredentials();
        try {
          const user = await authenticate(parsed.data.email, parsed.data.password, clientIp(request));
          return { id: user.id, email: user.email, name: user.name };
        } catch (err) {
          if (err instanceof RateLimitedError) throw new RateLimited(Math.ceil(err.retryAfterSeconds / 60));
          throw new InvalidCredentials();
        }
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user?.id) token.uid = user.id;
      return token;
    },
    session({ session, token }) {
      if (token.uid && session.user) session.user.id = token.uid as string;
      return session;
    },
  },
});
