'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { TRPCClientError } from '@trpc/client';
import { useForm, type FieldValues, type Path, type UseFormReturn } from 'react-hook-form';
import type { z } from 'zod';

/** react-hook-form validated by the same zod schema the server uses. */
export function useZodForm<S extends z.ZodType<FieldValues, FieldValues>>(schema: S, defaultValues?: Partial<z.input<S>>) {
  return useForm<z.input<S>, unknown, z.output<S>>({
    resolver: zodResolver(schema as never) as never,
    defaultValues: defaultValues as never,
    mode: 'onSubmit',
  });
}

interface ErrorData {
  zodError?: { fieldErrors?: Record<string, string[] | undefined>; formErrors?: string[] } | null;
  field?: string | null;
}

/**
 * Puts a server error on the form: zod field errors and domain errors that name a field go beside
 * their inputs; anything else comes back as a message for the form's alert.
 */
export function applyServerError<T extends FieldValues>(form: UseFormReturn<T, unknown, FieldValues>, error: unknown): string | null {
  if (error instanceof TRPCClientError) {
    const data = error.data as ErrorData | undefined;
    const fieldErrors = data?.zodError?.fieldErrors ?? {};
    let placed = false;
    for (const [name, messages] of Object.entries(fieldErrors)) {
      if (messages?.[0] && name in form.getValues()) {
        form.setError(name as Path<T>, { message: messages[0] });
        placed = true;
      }
    }
    if (data?.field && data.field in form.getValues()) {
      form.setError(data.field as Path<T>, { message: error.message });
      return null;
    }
    if (placed) return null;
    return error.message;
  }
  return error instanceof Error ? error.message : 'Something went wrong';
}
