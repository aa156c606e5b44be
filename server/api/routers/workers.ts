import { listWorkers } from '../../services/workers';
import { createTRPCRouter, teamProcedure } from '../trpc';

// Workers serve the whole installation; any team member may see which are online.
export const workersRouter = createTRPCRouter({
  list: teamProcedure.query(() => listWorkers()),
});
