import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { openApiDocument } from '@/server/api/openapi';
import { Badge, Card, Logo } from '../../_components/ui';

export const metadata: Metadata = { title: 'API reference' };

type Operation = {
  summary?: string;
  description?: string;
  operationId?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string }>;
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { description: string }>;
};

const METHOD_TONE: Record<string, 'green' | 'brand' | 'amber' | 'red' | 'slate'> = { get: 'green', post: 'brand', put: 'amber', patch: 'amber', delete: 'red' };

function Code({ children }: { children: ReactNode }) {
  return <pre className="overflow-x-auto rounded-md bg-slate-900 px-4 py-3 text-xs leading-relaxed text-slate-100">{children}</pre>;
}

/** The API reference, rendered on the server from the OpenAPI document (no client script, no CDN). */
export default function ApiDocsPage() {
  const doc = openApiDocument();
  const schemas = doc.components.schemas as Record<string, unknown>;
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods as Record<string, Operation>).map(([method, op]) => ({ path, method, op })));
  const groups = doc.tags.map((t) => ({ ...t, ops: ops.filter((o) => o.op.tags?.includes(t.name)) }));
  return (
    <div className="mx-auto max-w-5xl px-8 py-10">
      <div className="mb-8 flex items-center justify-between">
        <Link href="/">
          <Logo />
        </Link>
        <a className="text-sm text-brand-700 hover:underline" href="/api/v1/openapi.json">
          openapi.json
        </a>
      </div>
      <h1 className="text-3xl font-semibold tracking-tight text-slate-900">{doc.info.title}</h1>
      <p className="mt-2 max-w-3xl text-sm text-slate-600">{doc.info.description}</p>

      <div className="mt-8 grid gap-5 lg:grid-cols-3">
        <Card className="p-5">
          <h2 className="mb-2 font-semibold">curl</h2>
          <Code>{`curl -X POST $DEEPBOARD/api/v1/runs \\
  -H "Authorization: Bearer $KEY" \\
  -d '{"project":"vision","name":"resnet"}'`}</Code>
        </Card>
        <Card className="p-5">
          <h2 className="mb-2 font-semibold">TypeScript SDK (sdk/)</h2>
          <Code>{`const db = new Deepboard({ url, apiKey });
const run = await db.createRun({ project: 'vision' });
run.logMetrics({ loss: 0.3 }, step);
await run.finish();`}</Code>
        </Card>
        <Card className="p-5">
          <h2 className="mb-2 font-semibold">MLflow clients</h2>
          <Code>{`export MLFLOW_TRACKING_URI=$DEEPBOARD
export MLFLOW_TRACKING_TOKEN=$KEY
# mlflow.log_metric(...) lands here`}</Code>
        </Card>
      </div>

      {groups.map((g) => (
        <section key={g.name} className="mt-10">
          <h2 className="text-xl font-semibold text-slate-900">{g.name}</h2>
          <p className="mb-4 text-sm text-slate-500">{g.description}</p>
          <div className="space-y-3">
            {g.ops.map(({ path, method, op }) => {
              const ref = op.requestBody ? Object.values(op.requestBody.content)[0]?.schema.$ref : undefined;
              const schemaName = ref?.split('/').pop();
              return (
                <Card key={`${method} ${path}`} className="p-4" id={op.operationId} data-testid="api-operation">
                  <div className="flex flex-wrap items-center gap-3">
                    <Badge tone={METHOD_TONE[method] ?? 'slate'}>{method.toUpperCase()}</Badge>
                    <code className="font-mono text-sm text-slate-900">{path}</code>
                    <span className="text-sm text-slate-600">{op.summary}</span>
                  </div>
                  {op.description ? <p className="mt-2 text-sm text-slate-600">{op.description}</p> : null}
                  {op.parameters?.length ? (
                    <p className="mt-2 text-xs text-slate-500">
                      Parameters:{' '}
                      {op.parameters.map((p, i) => (
                        <span key={p.name}>
                          {i ? ', ' : ''}
                          <code>{p.name}</code> ({p.in}
                          {p.required ? ', required' : ''})
                        </span>
                      ))}
                    </p>
                  ) : null}
                  <p className="mt-1 text-xs text-slate-500">
                    Responses:{' '}
                    {Object.entries(op.responses)
                      .map(([code, r]) => `${code} ${r.description}`)
                      .join(' · ')}
                  </p>
                  {schemaName && schemas[schemaName] ? (
                    <details className="mt-2">
                      <summary className="cursor-pointer text-xs font-medium text-brand-700">Request body: {schemaName}</summary>
                      <Code>{JSON.stringify(schemas[schemaName], null, 2)}</Code>
                    </details>
                  ) : null}
                </Card>
              );
            })}
          </div>
        </section>
      ))}
    </div>
  );
}
