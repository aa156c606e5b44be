'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ZCreateTeamInput } from '@/lib/schemas/teams';
import { applyServerError, useZodForm } from '../../_components/form';
import { Alert, Button, Field, Input } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';

export function CreateTeamForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const form = useZodForm(ZCreateTeamInput, { name: '' });
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(trpc.teams.create.mutationOptions());
  const onSubmit = form.handleSubmit(async (values) => {
    setError(null);
    try {
      const team = await create.mutateAsync({ name: values.name, slug: values.slug || undefined });
      router.push(`/t/${team.slug}`);
      router.refresh();
    } catch (err) {
      setError(applyServerError(form, err));
    }
  });
  const errors = form.formState.errors;
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {error ? <Alert>{error}</Alert> : null}
      <Field label="Team name" htmlFor="team-name" error={errors.name?.message}>
        <Input id="team-name" placeholder="Vision Lab" invalid={!!errors.name} {...form.register('name')} />
      </Field>
      <Field label="Address (optional)" htmlFor="team-slug" error={errors.slug?.message} hint="Used in URLs, e.g. vision-lab. Derived from the name if empty.">
        <Input id="team-slug" placeholder="vision-lab" invalid={!!errors.slug} {...form.register('slug', { setValueAs: (v: string) => (v ? v : undefined) })} />
      </Field>
      <Button type="submit" className="w-full" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create team'}
      </Button>
    </form>
  );
}
