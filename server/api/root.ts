import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { apiKeysRouter } from './routers/api-keys';
import { architecturesRouter } from './routers/architectures';
import { datasetsRouter } from './routers/datasets';
import { invitationsRouter } from './routers/invitations';
import { projectsRouter } from './routers/projects';
import { runsRouter } from './routers/runs';
import { teamsRouter } from './routers/teams';
import { usersRouter } from './routers/users';
import { workersRouter } from './routers/workers';
import { createCallerFactory, createTRPCRouter } from './trpc';

export const appRouter = createTRPCRouter({
  users: usersRouter,
  teams: teamsRouter,
  invitations: invitationsRouter,
  projects: projectsRouter,
  workers: workersRouter,
  architectures: architecturesRouter,
  datasets: datasetsRouter,
  runs: runsRouter,
  apiKeys: apiKeysRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export const createCaller = createCallerFactory(appRouter);
