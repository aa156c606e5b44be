'use client';

import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Bell } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useTRPC } from '../_trpc/client';
import { cn } from './ui';

/** The sidebar's bell: unread count of the user's notifications in this team (polled), latest ones on click. */
export function NotificationBell({ teamId }: { teamId: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const router = useRouter();
  const list = useQuery({ ...trpc.notifications.list.queryOptions({ teamId }), refetchInterval: 15_000, refetchOnWindowFocus: true });
  const markRead = useMutation(trpc.notifications.markRead.mutationOptions({ onSuccess: () => void qc.invalidateQueries({ queryKey: trpc.notifications.list.queryKey({ teamId }) }) }));
  const unread = list.data?.unread ?? 0;
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger
        className="relative rounded p-1.5 text-slate-500 hover:bg-slate-100 hover:text-slate-900 print:hidden"
        aria-label={unread ? `Notifications, ${unread} unread` : 'Notifications'}
        data-testid="notification-bell"
      >
        <Bell className="h-4 w-4" />
        {unread ? (
          <span className="absolute -right-0.5 -top-0.5 min-w-4 rounded-full bg-red-600 px-1 text-center text-[10px] font-semibold leading-4 text-white" data-testid="unread-count">
            {unread > 99 ? '99+' : unread}
          </span>
        ) : null}
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content align="start" sideOffset={4} className="z-50 w-80 rounded-md border border-slate-200 bg-white p-1 shadow-lg" data-testid="notifications">
          <div className="flex items-center justify-between px-2 py-1">
            <span className="text-xs font-medium uppercase tracking-wide text-slate-400">Notifications</span>
            {unread ? (
              <button type="button" className="text-xs text-brand-700 hover:underline" onClick={() => markRead.mutate({ teamId })}>
                Mark all read
              </button>
            ) : null}
          </div>
          {(list.data?.items ?? []).length === 0 ? <p className="px-2 py-3 text-sm text-slate-500">Nothing yet.</p> : null}
          {(list.data?.items ?? []).map((n) => (
            <DropdownMenu.Item
              key={n.id}
              onSelect={() => {
                if (!n.read) markRead.mutate({ teamId, ids: [n.id] });
                router.push(n.link);
              }}
              className={cn('cursor-pointer rounded px-2 py-1.5 text-sm outline-none data-[highlighted]:bg-slate-100', !n.read && 'font-medium')}
            >
              <span className="flex items-start gap-2">
                <span className={cn('mt-1.5 h-1.5 w-1.5 shrink-0 rounded-full', n.read ? 'bg-transparent' : 'bg-brand-600')} />
                <span className="min-w-0">
                  <span className="block">{n.title}</span>
                  <span className="block text-xs font-normal text-slate-400">
                    {new Date(n.createdAt).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })}
                  </span>
                </span>
              </span>
            </DropdownMenu.Item>
          ))}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
