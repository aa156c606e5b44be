'use client';

import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { Check, ChevronsUpDown, Cpu, FolderKanban, History, KeyRound, LayoutDashboard, LogOut, Plus, Scale, Users } from 'lucide-react';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { hasRole, ROLE_LABELS } from '@/lib/roles';
import type { Role } from '@/lib/schemas/teams';
import { signOutAction } from '../(auth)/actions';
import { NotificationBell } from './notification-bell';
import { cn, Logo } from './ui';

interface TeamLink {
  id: string;
  name: string;
  slug: string;
  role: Role;
}

function NavLink({ href, icon, children, exact }: { href: string; icon: ReactNode; children: ReactNode; exact?: boolean }) {
  const path = usePathname();
  const active = exact ? path === href : path === href || path.startsWith(`${href}/`);
  return (
    <Link
      href={href}
      className={cn('flex items-center gap-2 rounded-md px-2.5 py-1.5 text-sm', active ? 'bg-brand-50 font-medium text-brand-700' : 'text-slate-600 hover:bg-slate-100 hover:text-slate-900')}
    >
      {icon}
      <span className="truncate">{children}</span>
    </Link>
  );
}

export function Sidebar({ team, teams, projects, user }: { team: TeamLink; teams: TeamLink[]; projects: Array<{ id: string; name: string; slug: string }>; user: { name: string; email: string } }) {
  const base = `/t/${team.slug}`;
  return (
    <aside className="sticky top-0 flex h-screen print:hidden max-h-[100dvh] self-start w-64 shrink-0 flex-col border-r border-slate-200 bg-white">
      <div className="flex items-center justify-between px-4 pb-3 pt-4">
        <Link href={base}>
          <Logo className="text-slate-900" />
        </Link>
        <NotificationBell teamId={team.id} />
      </div>
      <div className="px-3">
        <DropdownMenu.Root>
          <DropdownMenu.Trigger className="flex w-full items-center justify-between rounded-md border border-slate-200 px-2.5 py-2 text-left text-sm hover:bg-slate-50" data-testid="team-switcher">
            <span className="min-w-0">
              <span className="block truncate font-medium">{team.name}</span>
              <span className="block text-xs text-slate-500">{ROLE_LABELS[team.role]}</span>
            </span>
            <ChevronsUpDown className="h-4 w-4 text-slate-400" />
          </DropdownMenu.Trigger>
          <DropdownMenu.Portal>
            <DropdownMenu.Content align="start" sideOffset={4} className="z-50 w-56 rounded-md border border-slate-200 bg-white p-1 shadow-lg">
              <DropdownMenu.Label className="px-2 py-1 text-xs font-medium uppercase tracking-wide text-slate-400">Teams</DropdownMenu.Label>
              {teams.map((t) => (
                <DropdownMenu.Item key={t.id} asChild>
                  <Link href={`/t/${t.slug}`} className="flex items-center justify-between rounded px-2 py-1.5 text-sm outline-none data-[highlighted]:bg-slate-100">
                    <span className="truncate">{t.name}</span>
                    {t.id === team.id ? <Check className="h-4 w-4 text-brand-600" /> : null}
                  </Link>
                </DropdownMenu.Item>
              ))}
              <DropdownMenu.Separator className="my-1 h-px bg-slate-100" />
              <DropdownMenu.Item asChild>
                <Link href="/teams/new" className="flex items-center gap-2 rounded px-2 py-1.5 text-sm outline-none data-[highlighted]:bg-slate-100">
                  <Plus className="h-4 w-4" /> Create team
                </Link>
              </DropdownMenu.Item>
            </DropdownMenu.Content>
          </DropdownMenu.Portal>
        </DropdownMenu.Root>
      </div>
      <nav className="mt-4 flex-1 space-y-0.5 overflow-y-auto px-3" aria-label="Team">
        <NavLink href={base} exact icon={<LayoutDashboard className="h-4 w-4" />}>
          Overview
        </NavLink>
        <NavLink href={`${base}/members`} icon={<Users className="h-4 w-4" />}>
          Members
        </NavLink>
        <NavLink href={`${base}/workers`} icon={<Cpu className="h-4 w-4" />}>
          Workers
        </NavLink>
        <NavLink href={`${base}/policy`} icon={<Scale className="h-4 w-4" />}>
          Fairness policy
        </NavLink>
        <NavLink href={`${base}/settings/api-keys`} icon={<KeyRound className="h-4 w-4" />}>
          API keys
        </NavLink>
        {hasRole(team.role, 'ADMIN') ? (
          <NavLink href={`${base}/audit`} icon={<History className="h-4 w-4" />}>
            Audit trail
          </NavLink>
        ) : null}
        <div className="px-2.5 pb-1 pt-5 text-xs font-medium uppercase tracking-wide text-slate-400">Projects</div>
        {projects.length === 0 ? <p className="px-2.5 text-xs text-slate-400">No projects yet</p> : null}
        {projects.map((p) => (
          <NavLink key={p.id} href={`${base}/projects/${p.slug}`} icon={<FolderKanban className="h-4 w-4" />}>
            {p.name}
          </NavLink>
        ))}
      </nav>
      <div className="border-t border-slate-200 p-3">
        <div className="flex items-center justify-between gap-2">
          <div className="min-w-0">
            <p className="truncate text-sm font-medium" data-testid="current-user">
              {user.name}
            </p>
            <p className="truncate text-xs text-slate-500">{user.email}</p>
          </div>
          <form action={signOutAction}>
            <button type="submit" title="Sign out" className="rounded p-1.5 text-slate-500 hover:bg-slate-100 hover:text-slate-900">
              <LogOut className="h-4 w-4" />
              <span className="sr-only">Sign out</span>
            </button>
          </form>
        </div>
      </div>
    </aside>
  );
}
