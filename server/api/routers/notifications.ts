import { ZNotificationsRead } from '@/lib/schemas/reviews';
import * as notifications from '../../services/notifications';
import { createTRPCRouter, teamProcedure } from '../trpc';

// The caller's own notifications in this team; nobody reads another member's.
export const notificationsRouter = createTRPCRouter({
  list: teamProcedure.query(({ ctx }) => notifications.listNotifications(ctx.user.id, ctx.team.id)),
  unread: teamProcedure.query(({ ctx }) => notifications.unreadCount(ctx.user.id, ctx.team.id)),
  markRead: teamProcedure.input(ZNotificationsRead).mutation(({ ctx, input }) => notifications.markRead(ctx.user.id, ctx.team.id, input.ids)),
});
