import Link from 'next/link';
import { Logo } from './_components/ui';

export default function NotFound() {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-4 px-4 text-center">
      <Logo className="text-xl" />
      <h1 className="text-lg font-semibold">Not found</h1>
      <p className="text-sm text-slate-500">This page does not exist, or you do not have access to it.</p>
      <Link href="/" className="text-sm text-brand-600 hover:underline">
        Back to Deepboard
      </Link>
    </main>
  );
}
