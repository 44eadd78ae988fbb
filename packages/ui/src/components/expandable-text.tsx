import { useState } from 'react';

export interface ExpandableTextProps {
  readonly text: string;
  /** Longer texts (or texts with more lines than `maxLines`) start folded. */
  readonly maxChars?: number;
  readonly maxLines?: number;
}

/**
 * A value shown as text, never as markup: React escapes it. Long values start
 * folded with a button to show the rest, so one huge attribute (a SQL query, a
 * stack trace) cannot push everything else off the screen.
 */
export function ExpandableText({ text, maxChars = 300, maxLines = 6 }: ExpandableTextProps) {
  const [expanded, setExpanded] = useState(false);
  const lines = text.split('\n');
  const long = text.length > maxChars || lines.length > maxLines;
  if (!long) return <span className="value-text">{text === '' ? <span className="faint">(empty)</span> : text}</span>;
  const folded =
    lines.length > maxLines ? lines.slice(0, maxLines).join('\n').slice(0, maxChars) : text.slice(0, maxChars);
  return (
    <span className="value-text">
      {expanded ? text : `${folded}…`}{' '}
      <button type="button" className="link-button" onClick={() => setExpanded(!expanded)} aria-expanded={expanded}>
        {expanded ? 'Show less' : `Show all (${text.length.toLocaleString('en')} characters)`}
      </button>
    </span>
  );
}
