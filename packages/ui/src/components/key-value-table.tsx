import type { JaegerKeyValue } from '@ariadne/protocol';
import { tagValueText } from '../trace/span-tags.js';
import { ExpandableText } from './expandable-text.js';
import './key-value-table.css';

export interface KeyValueTableProps {
  readonly items: readonly JaegerKeyValue[];
  readonly empty: string;
}

/** Tags with their types: `int64` and `string` "200" are different things when a filter does not match. */
export function KeyValueTable({ items, empty }: KeyValueTableProps) {
  if (items.length === 0) return <p className="faint kv-empty">{empty}</p>;
  return (
    <table className="kv-table">
      <tbody>
        {items.map((item, i) => (
          // Keys may repeat (OTLP does not forbid it), so the position is part of the key.
          // biome-ignore lint/suspicious/noArrayIndexKey: the list is fixed for the life of the table.
          <tr key={`${i}:${item.key}`}>
            <th scope="row" className="kv-key">
              {item.key}
            </th>
            <td className="kv-type">
              <span className={`type-badge type-${item.type}`}>{item.type}</span>
            </td>
            <td className="kv-value">
              <ExpandableText text={tagValueText(item)} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
