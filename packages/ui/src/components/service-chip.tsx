import type { CSSProperties } from 'react';
import { serviceColor } from '../trace/service-colors.js';
import './service-chip.css';

export interface ServiceChipProps {
  readonly name: string;
  readonly count?: number;
  readonly errorCount?: number;
}

export function ServiceChip({ name, count, errorCount = 0 }: ServiceChipProps) {
  const title =
    count === undefined
      ? name
      : `${name}: ${count} span${count === 1 ? '' : 's'}${errorCount > 0 ? `, ${errorCount} with errors` : ''}`;
  return (
    <span className="service-chip" style={{ '--chip-color': serviceColor(name) } as CSSProperties} title={title}>
      <span className="service-chip-dot" aria-hidden="true" />
      <span className="service-chip-name">{name}</span>
      {count !== undefined && <span className="service-chip-count">{count}</span>}
      {errorCount > 0 && (
        <span className="service-chip-errors">
          {errorCount}
          <span className="visually-hidden"> with errors</span>
        </span>
      )}
    </span>
  );
}
