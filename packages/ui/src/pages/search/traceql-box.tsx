import { useQuery } from '@tanstack/react-query';
import { type KeyboardEvent, useLayoutEffect, useRef, useState } from 'react';
import { getTraceQlTags, getTraceQlTagValues } from '../../api/traceql-search.js';
import { useApiClient } from '../../hooks/api-client-context.js';
import {
  buildTraceQl,
  completionContext,
  rankSuggestions,
  TRACEQL_INTRINSICS,
  type TraceQlCondition,
  type TraceQlOperator,
} from '../../search/traceql-builder.js';

export interface TraceQlBoxProps {
  readonly initial: string;
  readonly onRun: (query: string) => void;
  readonly onClear: () => void;
}

const OPERATORS: readonly TraceQlOperator[] = ['=', '!=', '>', '>=', '<', '<=', '=~'];

/**
 * A TraceQL query with completion of attribute names and values (Tempo's tag
 * endpoints, when the server has them; TraceQL's intrinsics otherwise), and a
 * builder of simple conditions that writes the query for you.
 */
export function TraceQlBox({ initial, onRun, onClear }: TraceQlBoxProps) {
  const client = useApiClient();
  const [text, setText] = useState(initial);
  const [cursor, setCursor] = useState(initial.length);
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const [building, setBuilding] = useState(false);
  const [conditions, setConditions] = useState<TraceQlCondition[]>([
    { attribute: 'resource.service.name', operator: '=', value: '' },
  ]);
  const inputRef = useRef<HTMLInputElement>(null);
  // Where the caret goes once the accepted suggestion is in the input: set in the same task as the
  // render, before the next key is handled (a later frame put it back behind keys typed meanwhile).
  const caretAfterRender = useRef<number | undefined>(undefined);
  useLayoutEffect(() => {
    const position = caretAfterRender.current;
    if (position === undefined) return;
    caretAfterRender.current = undefined;
    inputRef.current?.setSelectionRange(position, position);
  });

  const tags = useQuery({
    queryKey: ['traceql-tags'],
    queryFn: ({ signal }) => getTraceQlTags(client, signal),
    retry: false,
    staleTime: 60_000,
  });
  const context = completionContext(text, cursor);
  const valueTag = context.kind === 'value' ? context.attribute : '';
  const values = useQuery({
    queryKey: ['traceql-values', valueTag],
    queryFn: ({ signal }) => getTraceQlTagValues(client, valueTag, signal),
    enabled: valueTag !== '' && !TRACEQL_INTRINSICS.includes(valueTag),
    retry: false,
    staleTime: 60_000,
  });
  const attributeNames = [...TRACEQL_INTRINSICS, ...(tags.data ?? [])];
  const suggestions =
    context.kind === 'attribute'
      ? rankSuggestions(attributeNames, context.prefix)
      : context.kind === 'value'
        ? rankSuggestions(
            valueTag === 'status'
              ? ['ok', 'error', 'unset']
              : valueTag === 'kind'
                ? ['server', 'client', 'producer', 'consumer', 'internal']
                : (values.data ?? []),
            context.prefix,
          )
        : [];
  const showSuggestions = open && suggestions.length > 0;

  const accept = (suggestion: string) => {
    if (context.kind === 'none') return;
    const next =
      text.slice(0, context.from) + suggestion + (context.kind === 'attribute' ? ' ' : ' ') + text.slice(cursor);
    const position = context.from + suggestion.length + 1;
    setText(next);
    setCursor(position);
    setActive(0);
    caretAfterRender.current = position;
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (showSuggestions && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
      event.preventDefault();
      setActive((a) => (a + (event.key === 'ArrowDown' ? 1 : -1) + suggestions.length) % suggestions.length);
    } else if (showSuggestions && (event.key === 'Tab' || (event.key === 'Enter' && !event.ctrlKey))) {
      event.preventDefault();
      accept(suggestions[active] as string);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      setOpen(false);
      onRun(text.trim());
    } else if (event.key === 'Escape') setOpen(false);
  };

  const setCondition = (index: number, patch: Partial<TraceQlCondition>) =>
    setConditions((list) => {
      const next = list.map((c, i) => (i === index ? { ...c, ...patch } : c));
      setText(buildTraceQl(next));
      return next;
    });

  return (
    <div className="traceql-box" data-testid="traceql-box">
      <div className="traceql-input-row">
        <input
          ref={inputRef}
          type="text"
          value={text}
          placeholder='TraceQL, e.g. { resource.service.name = "checkout" && duration > 100ms }'
          aria-label="TraceQL query"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={showSuggestions}
          data-testid="traceql-input"
          spellCheck={false}
          autoComplete="off"
          onChange={(event) => {
            setText(event.target.value);
            setCursor(event.target.selectionStart ?? event.target.value.length);
            setActive(0);
            setOpen(true);
          }}
          onSelect={(event) => setCursor(event.currentTarget.selectionStart ?? text.length)}
          onKeyDown={onKeyDown}
          onBlur={() => setTimeout(() => setOpen(false), 150)}
          onFocus={() => setOpen(true)}
        />
        <button
          type="button"
          className="button button-primary"
          data-testid="traceql-run"
          onClick={() => onRun(text.trim())}
        >
          Run TraceQL
        </button>
        <button
          type="button"
          className="button"
          onClick={() => setBuilding((b) => !b)}
          aria-expanded={building}
          data-testid="traceql-builder-toggle"
        >
          Builder
        </button>
        {initial !== '' && (
          <button type="button" className="link-button" onClick={onClear}>
            Back to form search
          </button>
        )}
      </div>
      {showSuggestions && (
        <div className="traceql-suggestions" role="listbox" data-testid="traceql-suggestions">
          {suggestions.map((s, i) => (
            <div
              key={s}
              role="option"
              tabIndex={-1}
              aria-selected={i === active}
              data-testid="traceql-suggestion"
              onMouseDown={(event) => {
                event.preventDefault();
                accept(s);
              }}
            >
              {s}
            </div>
          ))}
        </div>
      )}
      {tags.isError && (
        <p className="field-hint">
          Attribute names are not available from this server ({tags.error.message}); intrinsics are still offered.
        </p>
      )}
      {building && (
        <div className="traceql-builder" data-testid="traceql-builder">
          {conditions.map((c, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place and never reordered.
            <div className="traceql-builder-row" key={i}>
              <input
                list="traceql-attributes"
                value={c.attribute}
                aria-label="Attribute"
                data-testid="builder-attribute"
                onChange={(e) => setCondition(i, { attribute: e.target.value })}
              />
              <select
                value={c.operator}
                aria-label="Operator"
                onChange={(e) => setCondition(i, { operator: e.target.value as TraceQlOperator })}
              >
                {OPERATORS.map((op) => (
                  <option key={op} value={op}>
                    {op}
                  </option>
                ))}
              </select>
              <input
                value={c.value}
                aria-label="Value"
                data-testid="builder-value"
                onChange={(e) => setCondition(i, { value: e.target.value })}
              />
              <button
                type="button"
                className="link-button"
                onClick={() =>
                  setConditions((list) => {
                    const next = list.filter((_, j) => j !== i);
                    setText(buildTraceQl(next));
                    return next;
                  })
                }
              >
                Remove
              </button>
            </div>
          ))}
          <datalist id="traceql-attributes">
            {attributeNames.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
          <button
            type="button"
            className="link-button"
            style={{ alignSelf: 'start' }}
            data-testid="builder-add"
            onClick={() => setConditions((list) => [...list, { attribute: 'duration', operator: '>', value: '' }])}
          >
            + condition
          </button>
        </div>
      )}
    </div>
  );
}
