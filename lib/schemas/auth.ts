import { z } from 'zod';

export const PASSWORD_MIN_LENGTH = 10;

export const ZEmail = z
  .string()
  .trim()
  .min(1, 'Enter your e-mail address')
  .max(254, 'E-mail address is too long')
  .email('Enter a valid e-mail address')
  .transform((s) => s.toLowerCase());

/** Minimum password rules: length, and not a single character class. */
export const ZPassword = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Password must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(200, 'Password must be at most 200 characters')
  .refine((p) => /[a-zA-Z]/.test(p) && /[^a-zA-Z]/.test(p), 'Password must mix letters with digits or symbols')
  .refine((p) => new Set(p).size >= 5, 'Password is too repetitive');

export const ZSignUpInput = z.object({
  name: z.string().trim().min(1, 'Enter your name').max(100, 'Name is too long'),
  email: ZEmail,
  password: ZPassword,
});
export type SignUpInput = z.infer<typeof ZSignUpInput>;

export const ZSignInInput = z.object({
  email: ZEmail,
  password: z.string().min(1, 'Enter your password').max(200),
});
export type SignInInput = z.infer<typeof ZSignInInput>;
