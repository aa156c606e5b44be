import type { ReactNode } from 'react';
import { Logo } from '../_components/ui';

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <Logo className="mb-8 text-xl text-slate-900" />
      <div className="w-full max-w-sm">{children}</div>
      <p className="mt-10 max-w-sm text-center text-xs text-slate-400">Self-hosted experiment tracking: architectures, datasets, runs, fairness and explainability reports.</p>
    </main>
  );
}
