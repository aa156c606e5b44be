import Link from 'next/link';
import type { ReviewView } from '@/server/services/reviews';
import { Badge, Card, CardHeader } from '../../_components/ui';

/** The current user's review queue on the team overview: open reviews waiting for their decision. */
export function PendingReviews({ reviews }: { reviews: ReviewView[] }) {
  return (
    <Card className="mb-6" data-testid="pending-reviews">
      <CardHeader title="Waiting for your review" description="Open review requests where you have not decided on the current checkpoint and report." />
      {reviews.length === 0 ? (
        <p className="px-5 py-4 text-sm text-slate-500">Nothing to review.</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {reviews.map((r) => (
            <li key={r.id} className="flex flex-wrap items-center justify-between gap-2 px-5 py-2.5 text-sm">
              <span className="min-w-0">
                <Link href={`${r.runs[0]?.path ?? '#'}#review`} className="font-medium text-brand-700 hover:underline">
                  {r.title}
                </Link>
                <span className="block text-xs text-slate-500">
                  requested by {r.author?.name ?? 'deleted user'} · {r.createdAt.toISOString().slice(0, 10)}
                </span>
              </span>
              <span className="flex gap-1">
                {r.runs.some((x) => x.staleApprovals) ? <Badge tone="amber">re-review: approval stale</Badge> : null}
                {r.runs.some((x) => x.gates.status === 'fail') ? <Badge tone="red">policy failing</Badge> : null}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
