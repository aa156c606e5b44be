import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { apiKeysRouter } from './routers/api-keys';
import { architecturesRouter } from './routers/architectures';
import { auditRouter } from './routers/audit';
import { commentsRouter } from './routers/comments';
import { datasetsRouter } from './routers/datasets';
import { gatesRouter } from './routers/gates';
import { invitationsRouter } from './routers/invitations';
import { modelCardsRouter } from './routers/model-cards';
import { notificationsRouter } from './routers/notifications';
import { projectsRouter } from './routers/projects';
import { reviewsRouter } from './routers/reviews';
import { runsRouter } from './routers/runs';
import { sweepsRouter } from './routers/sweeps';
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
  gates: gatesRouter,
  apiKeys: apiKeysRouter,
  sweeps: sweepsRouter,
  reviews: reviewsRouter,
  comments: commentsRouter,
  notifications: notificationsRouter,
  audit: auditRouter,
  modelCards: modelCardsRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export const createCaller = createCallerFactory(appRouter);
