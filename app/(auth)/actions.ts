'use server';

import { AuthError } from 'next-auth';
import { z } from 'zod';
import { signInErrorMessage } from '@/lib/auth-messages';
import { ZSignInInput, ZSignUpInput } from '@/lib/schemas/auth';
import { signIn, signOut } from '@/server/auth/config';
import { UserError } from '@/lib/errors';
import { signUp } from '@/server/services/users';

export interface FormState {
  error?: string;
  fieldErrors?: Record<string, string | undefined>;
  values?: Record<string, string>;
}

/** Only same-site paths: a crafted callbackUrl must not send users elsewhere. */
function safeCallback(raw: FormDataEntryValue | null): string {
  const s = typeof raw === 'string' ? raw : '';
  return s.startsWith('/') && !s.startsWith('//') && !s.startsWith('/\\') ? s : '/';
}

function firstErrors(error: z.ZodError): Record<string, string | undefined> {
  const flat = z.flattenError(error).fieldErrors as Record<string, string[] | undefined>;
  return Object.fromEntries(Object.entries(flat).map(([k, v]) => [k, v?.[0]]));
}

export async function signInAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = { email: String(form.get('email') ?? '') };
  const parsed = ZSignInInput.safeParse({ email: form.get('email'), password: form.get('password') });
  if (!parsed.success) return { fieldErrors: firstErrors(parsed.error), values };
  try {
    await signIn('credentials', { ...parsed.data, redirectTo: safeCallback(form.get('callbackUrl')) });
  } catch (err) {
    if (err instanceof AuthError) return { error: signInErrorMessage((err as AuthError & { code?: string }).code), values };
    throw err; // Next's redirect on success
  }
  return {};
}

export async function signUpAction(_prev: FormState, form: FormData): Promise<FormState> {
  const values = { name: String(form.get('name') ?? ''), email: String(form.get('email') ?? '') };
  const parsed = ZSignUpInput.safeParse({ name: form.get('name'), email: form.get('email'), password: form.get('password') });
  if (!parsed.success) return { fieldErrors: firstErrors(parsed.error), values };
  try {
    await signUp(parsed.data);
  } catch (err) {
    if (err instanceof UserError) return err.field ? { fieldErrors: { [err.field]: err.message }, values } : { error: err.message, values };
    throw err;
  }
  const callback = safeCallback(form.get('callbackUrl'));
  await signIn('credentials', { email: parsed.data.email, password: parsed.data.password, redirectTo: callback === '/' ? '/teams/new' : callback });
  return {};
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: '/sign-in' });
}
