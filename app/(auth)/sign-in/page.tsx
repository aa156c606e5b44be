import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { currentUser } from '@/server/auth/session';
import { Card } from '../../_components/ui';
import { AuthForm } from '../auth-form';

export const metadata: Metadata = { title: 'Sign in' };
export const dynamic = 'force-dynamic';

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  const { callbackUrl } = await searchParams;
  if (await currentUser()) redirect(callbackUrl?.startsWith('/') ? callbackUrl : '/');
  return (
    <Card className="p-6">
      <h1 className="mb-1 text-lg font-semibold">Sign in</h1>
      <p className="mb-5 text-sm text-slate-500">Welcome back to your team&apos;s experiments.</p>
      <AuthForm mode="sign-in" callbackUrl={callbackUrl} />
    </Card>
  );
}
