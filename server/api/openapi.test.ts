import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MLFLOW_ENDPOINTS } from './mlflow';
import { openApiDocument } from './openapi';

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? routeFiles(p) : f === 'route.ts' ? [p] : [];
  });
}

describe('the OpenAPI document', () => {
  const doc = openApiDocument();

  it('is OpenAPI 3.1 with every $ref resolvable', () => {
    expect(doc.openapi).toBe('3.1.0');
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) expect(doc.components.schemas, r).toHaveProperty(r);
  });

  it('documents every /api/v1 route and every MLflow endpoint', () => {
    const root = path.resolve(import.meta.dirname, '../../app/api/v1');
    const documented = Object.keys(doc.paths);
    for (const file of routeFiles(root)) {
      const route =
        '/api/v1/' +
        path
          .relative(root, path.dirname(file))
          .replace(/\[\.\.\.(\w+)\]/g, '{$1}')
          .replace(/\[(\w+)\]/g, '{$1}');
      expect(documented, route).toContain(route.replace(/\/$/, ''));
    }
    for (const e of MLFLOW_ENDPOINTS) expect(documented).toContain(`/api/2.0/mlflow/${e}`);
  });

  it('describes the log-batch body from its zod schema', () => {
    const logBatch = doc.components.schemas.LogBatch as { properties: Record<string, { type?: string; maxItems?: number }> };
    expect(Object.keys(logBatch.properties).sort()).toEqual(['metrics', 'params', 'tags']);
    expect(logBatch.properties.metrics!.maxItems).toBe(10_000);
  });
});
