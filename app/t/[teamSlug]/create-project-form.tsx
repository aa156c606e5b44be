'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ZCreateProjectInput } from '@/lib/schemas/teams';
import { applyServerError, useZodForm } from '../../_components/form';
import { Alert, Button, Field, Input } from '../../_components/ui';
import { useTRPC } from '../../_trpc/client';

export function CreateProjectForm({ teamId, teamSlug }: { teamId: string; teamSlug: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const form = useZodForm(ZCreateProjectInput, { name: '', description: '' });
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(trpc.projects.create.mutationOptions());
  const onSubmit = form.handleSubmit(async (values) => {
    setError(null);
    try {
      const project = await create.mutateAsync({ teamId, ...values });
      form.reset();
      router.push(`/t/${teamSlug}/projects/${project.slug}`);
      router.refresh();
    } catch (err) {
      setError(applyServerError(form, err));
    }
  });
  const errors = form.formState.errors;
  return (
    <form onSubmit={onSubmit} className="space-y-3" noValidate>
      <h3 className="text-sm font-semibold">New project</h3>
      {error ? <Alert>{error}</Alert> : null}
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Name" htmlFor="project-name" error={errors.name?.message}>
          <Input id="project-name" placeholder="Credit scoring" invalid={!!errors.name} {...form.register('name')} />
        </Field>
        <Field label="Description" htmlFor="project-description" error={errors.description?.message}>
          <Input id="project-description" placeholder="Optional" {...form.register('description')} />
        </Field>
      </div>
      <Button type="submit" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create project'}
      </Button>
    </form>
  );
}
