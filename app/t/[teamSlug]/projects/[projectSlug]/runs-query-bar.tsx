'use client';

import { useState } from 'react';
import { Alert, Button, Input, Select } from '../../../../_components/ui';

const OPS = ['>', '>=', '<', '<=', '=', '!=', '~'] as const;

/**
 * The filter box of the runs table: the query being typed (`draft`) is applied on submit; a
 * parse error from the server is shown under it with a caret at the column it names.
 */
export function RunsQueryBar({
  draft,
  onDraft,
  query,
  error,
  onSubmit,
  onClear,
}: {
  draft: string;
  onDraft: (draft: string) => void;
  query: string;
  error?: string;
  onSubmit: (query: string) => void;
  onClear: () => void;
}) {
  return (
    <>
      <form
        className="flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit(draft);
        }}
      >
        <Input
          aria-label="Filter runs"
          className="font-mono"
          placeholder='metrics.val_accuracy > 0.9 and params.lr < 0.01 and user = "ana@lab.org" and tag = "baseline"'
          value={draft}
          onChange={(e) => onDraft(e.target.value)}
          invalid={!!error}
        />
        <Button type="submit" variant="secondary">
          Filter
        </Button>
        {query ? (
          <Button type="button" variant="ghost" onClick={onClear}>
            Clear
          </Button>
        ) : null}
      </form>
      {error ? (
        <div data-testid="query-error">
          <Alert>{error}</Alert>
          {/column (\d+)/.exec(error) ? (
            <pre className="mt-1 overflow-x-auto font-mono text-xs text-slate-500">
              {query}
              {'\n'}
              {' '.repeat(Number(/column (\d+)/.exec(error)![1]) - 1)}^
            </pre>
          ) : null}
        </div>
      ) : null}
    </>
  );
}

/**
 * The condition builder beside the filter: picks a field, an operator and a value and appends
 * the clause to the query with `and` (quoting the value unless it is a number), then applies it.
 */
export function ConditionBuilder({ fields, draft, onApply }: { fields: string[]; draft: string; onApply: (query: string) => void }) {
  const [builder, setBuilder] = useState({ field: '', op: '>' as (typeof OPS)[number], value: '' });

  function addCondition() {
    if (!builder.field || builder.value.trim() === '') return;
    const numeric = /^-?\d+(\.\d+)?(e-?\d+)?$/i.test(builder.value.trim());
    const value = numeric ? builder.value.trim() : JSON.stringify(builder.value);
    const clause = `${builder.field} ${builder.op} ${value}`;
    onApply(draft.trim() ? `${draft.trim()} and ${clause}` : clause);
  }

  return (
    <>
      <span className="text-slate-500">Add a condition:</span>
      <Select aria-label="Condition field" value={builder.field} onChange={(e) => setBuilder({ ...builder, field: e.target.value })} className="py-1">
        <option value="">field…</option>
        {fields.map((f) => (
          <option key={f} value={f}>
            {f}
          </option>
        ))}
      </Select>
      <Select aria-label="Condition operator" value={builder.op} onChange={(e) => setBuilder({ ...builder, op: e.target.value as (typeof OPS)[number] })} className="py-1">
        {OPS.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </Select>
      <div className="w-40">
        <Input aria-label="Condition value" className="py-1" value={builder.value} onChange={(e) => setBuilder({ ...builder, value: e.target.value })} />
      </div>
      <Button type="button" size="sm" variant="secondary" onClick={addCondition}>
        Add
      </Button>
    </>
  );
}
