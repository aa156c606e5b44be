import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { currentUser } from '@/server/auth/session';
import { Card } from '../../_components/ui';
import { AuthForm } from '../auth-form';

export const metadata: Metadata = { title: 'Create account' };
export const dynamic = 'force-dynamic';

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  const { callbackUrl } = await searchParams;
  if (await currentUser()) redirect(callbackUrl?.startsWith('/') ? callbackUrl : '/');
  return (
    <Card className="p-6">
      <h1 className="mb-1 text-lg font-semibold">Create your account</h1>
      <p className="mb-5 text-sm text-slate-500">Track, compare and review your team&apos;s training runs.</p>
      <AuthForm mode="sign-up" callbackUrl={callbackUrl} />
    </Card>
  );
}
