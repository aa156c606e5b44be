import type { z } from 'zod';

/**
 * Reads a layer's zod schema to decide how each option is edited, so the layer form follows the
 * one spec schema in lib/arch/spec.ts instead of a second, hand-written list of options.
 */

export type FieldKind =
  | { kind: 'enum'; options: string[] }
  | { kind: 'number'; integer: boolean }
  | { kind: 'boolean' }
  | { kind: 'string' }
  /** A number or tuple(s) of numbers, written as "3", "3, 3" or "1, 1, 2, 2". */
  | { kind: 'numbers'; shapes: Array<'number' | 'pair' | 'pairOfPairs' | 'null'> }
  /** A list of numbers (and nulls), written as "28, 28, 1" or "?, 8". */
  | { kind: 'list'; allowsNull: boolean }
  | { kind: 'object'; fields: FieldSpec[] }
  | { kind: 'union'; discriminator: string; variants: Record<string, FieldSpec[]> }
  | { kind: 'unknown' };

export interface FieldSpec {
  key: string;
  optional: boolean;
  defaultValue: unknown;
  field: FieldKind;
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  defaultValue?: unknown;
  entries?: Record<string, string>;
  options?: z.ZodType[];
  items?: z.ZodType[];
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  values?: unknown[];
  format?: string;
  discriminator?: string;
  checks?: Array<{ _zod: { def: { format?: string; check?: string } } }>;
}

function def(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

function unwrap(schema: z.ZodType): { base: z.ZodType; optional: boolean; defaultValue: unknown } {
  let s = schema;
  let optional = false;
  let defaultValue: unknown = undefined;
  for (;;) {
    const d = def(s);
    if (d.type === 'optional') {
      optional = true;
      s = d.innerType!;
    } else if (d.type === 'default') {
      const v = d.defaultValue;
      defaultValue = typeof v === 'function' ? (v as () => unknown)() : v;
      s = d.innerType!;
    } else return { base: s, optional, defaultValue };
  }
}

function isInteger(schema: z.ZodType): boolean {
  const d = def(schema);
  return d.format === 'safeint' || d.format === 'int32' || (d.checks ?? []).some((c) => /int/.test(c._zod.def.format ?? ''));
}

function tupleShape(schema: z.ZodType): 'pair' | 'pairOfPairs' | null {
  const d = def(schema);
  if (d.type !== 'tuple' || d.items?.length !== 2) return null;
  const kinds = d.items.map((i) => def(i).type);
  if (kinds.every((k) => k === 'number')) return 'pair';
  if (d.items.every((i) => tupleShape(i) === 'pair')) return 'pairOfPairs';
  return null;
}

export function describe(schema: z.ZodType): FieldKind {
  const d = def(schema);
  switch (d.type) {
    case 'enum':
      return { kind: 'enum', options: Object.values(d.entries ?? {}) };
    case 'number':
      return { kind: 'number', integer: isInteger(schema) };
    case 'boolean':
      return { kind: 'boolean' };
    case 'string':
      return { kind: 'string' };
    case 'array': {
      const el = unwrap(d.element!).base;
      const ed = def(el);
      if (ed.type === 'number') return { kind: 'list', allowsNull: false };
      if (ed.type === 'union' && ed.options!.every((o) => ['number', 'null', 'literal'].includes(def(o).type))) {
        return { kind: 'list', allowsNull: ed.options!.some((o) => def(o).type === 'null') };
      }
      return { kind: 'unknown' };
    }
    case 'union': {
      const opts = d.options!;
      if (d.discriminator || opts.every((o) => def(o).type === 'object')) {
        const variants: Record<string, FieldSpec[]> = {};
        const key = d.discriminator ?? 'type';
        for (const o of opts) {
          const lit = def(def(o).shape![key]!).values?.[0];
          variants[String(lit)] = fieldsOf(o).filter((f) => f.key !== key);
        }
        return { kind: 'union', discriminator: key, variants };
      }
      const shapes: Array<'number' | 'pair' | 'pairOfPairs' | 'null'> = [];
      for (const o of opts) {
        const t = def(o).type;
        if (t === 'number') shapes.push('number');
        else if (t === 'null') shapes.push('null');
        else {
          const ts = tupleShape(o);
          if (!ts) return { kind: 'unknown' };
          shapes.push(ts);
        }
      }
      return { kind: 'numbers', shapes };
    }
    case 'object':
      return { kind: 'object', fields: fieldsOf(schema) };
    default:
      return { kind: 'unknown' };
  }
}

export function fieldsOf(objectSchema: z.ZodType): FieldSpec[] {
  const shape = def(objectSchema).shape ?? {};
  return Object.entries(shape).map(([key, s]) => {
    const { base, optional, defaultValue } = unwrap(s);
    return { key, optional, defaultValue, field: describe(base) };
  });
}

/** Text for a numbers / list value in an input box. */
export function formatNumbers(value: unknown): string {
  if (value === undefined) return '';
  if (value === null) return '?';
  if (Array.isArray(value))
    return value
      .flat()
      .map((v) => (v === null ? '?' : String(v)))
      .join(', ');
  return String(value);
}

/** Parses "3" / "3, 3" / "1, 1, 2, 2" / "?, 8"; returns the raw text when it does not parse (the schema then reports it). */
export function parseNumbers(text: string, field: FieldKind): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  const parts = t
    .split(/[\s,x×]+/)
    .filter(Boolean)
    .map((p) => (p === '?' || p.toLowerCase() === 'null' ? null : Number(p)));
  if (parts.some((p) => p !== null && !Number.isFinite(p))) return t;
  if (field.kind === 'list') return parts;
  if (field.kind === 'numbers') {
    if (parts.length === 1 && field.shapes.includes('number')) return parts[0];
    if (parts.length === 2 && field.shapes.includes('pair')) return parts;
    if (parts.length === 4 && field.shapes.includes('pairOfPairs')) return [parts.slice(0, 2), parts.slice(2, 4)];
  }
  return t;
}
