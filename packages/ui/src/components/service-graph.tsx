import { useMemo } from 'react';
import { formatCount } from '../trace/format-count.js';
import { type GraphEdgeInput, layoutServiceGraph } from '../trace/graph-layout.js';
import { serviceColor } from '../trace/service-colors.js';
import './service-graph.css';

export interface ServiceGraphProps {
  readonly edges: readonly GraphEdgeInput[];
  /** Services to draw even without calls. */
  readonly services?: readonly string[];
  readonly onServiceClick?: (service: string) => void;
  readonly testId?: string;
}

/** Services as boxes, calls as arrows labelled with their count and error rate; laid out by dagre. */
export function ServiceGraph({ edges, services = [], onServiceClick, testId = 'service-graph' }: ServiceGraphProps) {
  const layout = useMemo(() => layoutServiceGraph(edges, services), [edges, services]);
  return (
    <div className="service-graph" data-testid={testId}>
      <svg
        width={layout.width}
        height={layout.height}
        viewBox={`0 ${-30} ${layout.width} ${layout.height + 30}`}
        role="img"
        aria-label={`Graph of ${layout.nodes.length} services and ${layout.edges.length} calls`}
      >
        <defs>
          <marker id="sg-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0 0 10 5 0 10z" fill="currentColor" />
          </marker>
        </defs>
        {layout.edges.map((edge) => {
          const points = edge.points;
          if (points.length === 0) return null;
          const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x} ${p.y}`).join(' ');
          const mid = points[Math.floor(points.length / 2)] as { x: number; y: number };
          const errorRate = edge.callCount > 0 ? edge.errorCount / edge.callCount : 0;
          return (
            <g
              key={`${edge.parent}->${edge.child}`}
              className={errorRate > 0 ? 'sg-edge sg-edge-error' : 'sg-edge'}
              data-testid="service-graph-edge"
              data-parent={edge.parent}
              data-child={edge.child}
            >
              <path d={d} fill="none" markerEnd="url(#sg-arrow)" />
              <text x={mid.x} y={mid.y - 6} textAnchor="middle">
                {formatCount(edge.callCount)} call{edge.callCount === 1 ? '' : 's'}
                {errorRate > 0 ? ` · ${(errorRate * 100).toFixed(errorRate < 0.1 ? 1 : 0)}% err` : ''}
              </text>
            </g>
          );
        })}
        {layout.nodes.map((node) => (
          // biome-ignore lint/a11y/noStaticElementInteractions: the same action is in the lists beside the graph.
          <g
            key={node.id}
            className="sg-node"
            data-testid="service-graph-node"
            data-service={node.id}
            transform={`translate(${node.x - node.width / 2} ${node.y - node.height / 2})`}
            onClick={onServiceClick === undefined ? undefined : () => onServiceClick(node.id)}
            style={{ cursor: onServiceClick === undefined ? 'default' : 'pointer' }}
          >
            <rect width={node.width} height={node.height} rx={6} />
            <rect width={4} height={node.height} rx={2} style={{ fill: serviceColor(node.id) }} />
            <text x={node.width / 2 + 2} y={node.height / 2 + 4} textAnchor="middle">
              {node.id}
            </text>
          </g>
        ))}
      </svg>
    </div>
  );
}
