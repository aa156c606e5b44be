import type { LayerType } from '@/lib/arch/spec';
import { CATEGORY_STYLE, layerCategory } from './layer-catalog';

export interface DiagramNode {
  name: string;
  type: LayerType;
  shape: string;
  params: number | null;
  invalid?: boolean;
  selected?: boolean;
}

export interface DiagramPart {
  part: string;
  /** Where this part's input comes from, e.g. "encoder output". */
  from?: string;
  nodes: DiagramNode[];
}

const W = 210;

/** "max_pooling2d_1" already says maxPooling2d: do not print the type twice. */
function sameAsType(name: string, type: string): boolean {
  return name.replace(/_\d+$/, '').replace(/_/g, '').toLowerCase() === type.toLowerCase();
}
const H = 46;
const GAP = 18;
const COL = 250;
const TOP = 34;

/** An SVG drawing of the network: one column per part, one box per layer, with output shapes. */
export function NetworkDiagram({ parts, onSelect }: { parts: DiagramPart[]; onSelect?: (part: string, index: number) => void }) {
  const rows = Math.max(1, ...parts.map((p) => p.nodes.length));
  const width = parts.length * COL;
  const height = TOP + rows * (H + GAP) + 10;
  return (
    <svg viewBox={`0 0 ${width} ${height}`} width="100%" style={{ maxWidth: width, minHeight: 120 }} role="img" aria-label="Network diagram" data-testid="network-diagram">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#94a3b8" />
        </marker>
      </defs>
      {parts.map((p, col) => {
        const x = col * COL + (COL - W) / 2;
        return (
          <g key={p.part}>
            <text x={x + W / 2} y={16} textAnchor="middle" fontSize="12" fontWeight="600" fill="#334155">
              {p.part}
              {p.from ? <tspan fill="#94a3b8" fontWeight="400">{`  ← ${p.from}`}</tspan> : null}
            </text>
            {p.nodes.map((n, i) => {
              const y = TOP + i * (H + GAP);
              const style = CATEGORY_STYLE[layerCategory(n.type)];
              return (
                <g key={i} onClick={() => onSelect?.(p.part, i)} style={{ cursor: onSelect ? 'pointer' : undefined }}>
                  {i > 0 ? <line x1={x + W / 2} y1={y - GAP} x2={x + W / 2} y2={y - 2} stroke="#94a3b8" strokeWidth="1.5" markerEnd="url(#arrow)" /> : null}
                  <rect
                    x={x}
                    y={y}
                    width={W}
                    height={H}
                    rx="7"
                    fill={n.invalid ? '#fee2e2' : style.fill}
                    stroke={n.invalid ? '#ef4444' : n.selected ? '#2f43c4' : style.stroke}
                    strokeWidth={n.selected || n.invalid ? 2.5 : 1.2}
                  />
                  <text x={x + 10} y={y + 18} fontSize="12" fontWeight="600" fill="#0f172a">
                    {n.name.length > 22 ? `${n.name.slice(0, 21)}…` : n.name}
                    {sameAsType(n.name, n.type) ? null : <tspan fontWeight="400" fill="#64748b">{` ${n.type}`}</tspan>}
                  </text>
                  <text x={x + 10} y={y + 35} fontSize="11" fontFamily="ui-monospace, monospace" fill="#475569">
                    {n.shape}
                    {n.params ? <tspan fill="#94a3b8">{`  ${n.params.toLocaleString()} p`}</tspan> : null}
                  </text>
                </g>
              );
            })}
          </g>
        );
      })}
    </svg>
  );
}
