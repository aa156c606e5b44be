'use client';

import Link from 'next/link';
import { useActionState } from 'react';
import { Alert, Button, Field, Input } from '../_components/ui';
import { signInAction, signUpAction, type FormState } from './actions';

export function AuthForm({ mode, callbackUrl }: { mode: 'sign-in' | 'sign-up'; callbackUrl?: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(mode === 'sign-in' ? signInAction : signUpAction, {});
  const fe = state.fieldErrors ?? {};
  const suffix = callbackUrl ? `?callbackUrl=${encodeURIComponent(callbackUrl)}` : '';
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="callbackUrl" value={callbackUrl ?? ''} />
      {state.error ? <Alert>{state.error}</Alert> : null}
      {mode === 'sign-up' ? (
        <Field label="Name" htmlFor="name" error={fe.name}>
          <Input id="name" name="name" autoComplete="name" defaultValue={state.values?.name} invalid={!!fe.name} />
        </Field>
      ) : null}
      <Field label="E-mail" htmlFor="email" error={fe.email}>
        <Input id="email" name="email" type="email" autoComplete="email" defaultValue={state.values?.email} invalid={!!fe.email} />
      </Field>
      <Field label="Password" htmlFor="password" error={fe.password} hint={mode === 'sign-up' ? 'At least 10 characters, mixing letters with digits or symbols.' : undefined}>
        <Input id="password" name="password" type="password" autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'} invalid={!!fe.password} />
      </Field>
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? 'Please wait…' : mode === 'sign-in' ? 'Sign in' : 'Create account'}
      </Button>
      <p className="text-center text-sm text-slate-500">
        {mode === 'sign-in' ? (
          <>
            New to Deepboard?{' '}
            <Link className="font-medium text-brand-600 hover:underline" href={`/sign-up${suffix}`}>
              Create an account
            </Link>
          </>
        ) : (
          <>
            Already have an account?{' '}
            <Link className="font-medium text-brand-600 hover:underline" href={`/sign-in${suffix}`}>
              Sign in
            </Link>
          </>
        )}
      </p>
    </form>
  );
}
