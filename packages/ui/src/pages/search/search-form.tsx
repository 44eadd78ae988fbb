import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { useOperations } from '../../hooks/use-operations.js';
import {
  CUSTOM_LOOKBACK,
  type FormErrors,
  LOOKBACKS,
  MAX_LIMIT,
  type SearchForm,
  validateForm,
} from '../../search/search-params.js';
import { inputToInstant, instantToInput, type TimeZoneChoice } from '../../search/time-zone.js';

export interface SearchFormPanelProps {
  readonly initial: SearchForm;
  /** Errors of the search in the URL (a hand-edited or old link). */
  readonly errors: FormErrors;
  readonly services: readonly string[];
  readonly searching: boolean;
  readonly onSubmit: (form: SearchForm) => void;
}

export function SearchFormPanel({ initial, errors: urlErrors, services, searching, onSubmit }: SearchFormPanelProps) {
  const [form, setForm] = useState(initial);
  const [errors, setErrors] = useState<FormErrors>(urlErrors);
  const operations = useOperations(form.service);
  const set = <K extends keyof SearchForm>(key: K, value: SearchForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = validateForm(form);
    setErrors(result.ok ? {} : result.errors);
    if (result.ok) onSubmit(form);
  };

  // A service from an old link may be gone from the store; keep it selectable so the form shows what the URL says.
  const serviceOptions =
    form.service !== '' && !services.includes(form.service) ? [form.service, ...services] : services;
  const operationOptions = operations.data ?? [];
  const zone: TimeZoneChoice = form.tz === 'utc' ? 'utc' : 'local';

  return (
    <form className="search-form" data-testid="search-form" onSubmit={submit} noValidate>
      <h2 className="search-form-title">Find traces</h2>
      <Field label="Service" error={errors.service}>
        {(id) => (
          <select
            id={id}
            data-testid="search-service"
            value={form.service}
            onChange={(event) => setForm((f) => ({ ...f, service: event.target.value, operation: '' }))}
          >
            <option value="">All services</option>
            {serviceOptions.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        label="Operation"
        error={errors.operation}
        hint={operations.isError ? `Operations could not be loaded: ${operations.error.message}` : undefined}
      >
        {(id) => (
          <select
            id={id}
            data-testid="search-operation"
            value={form.operation}
            disabled={form.service === ''}
            onChange={(event) => set('operation', event.target.value)}
          >
            <option value="">{form.service === '' ? 'Pick a service first' : 'All operations'}</option>
            {form.operation !== '' && !operationOptions.includes(form.operation) && (
              <option value={form.operation}>{form.operation}</option>
            )}
            {operationOptions.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Tags" error={errors.tags} hint="logfmt, e.g. http.status_code=500 error=true">
        {(id) => (
          <input
            id={id}
            type="text"
            data-testid="search-tags"
            value={form.tags}
            placeholder="http.status_code=200 error=true"
            spellCheck={false}
            autoComplete="off"
            onChange={(event) => set('tags', event.target.value)}
          />
        )}
      </Field>
      <Field label="Time" error={errors.lookback}>
        {(id) => (
          <select
            id={id}
            data-testid="search-lookback"
            value={form.lookback}
            onChange={(event) => {
              const lookback = event.target.value;
              if (lookback === CUSTOM_LOOKBACK && form.from === '') {
                // Start the custom window from the relative one it replaces.
                const previous = LOOKBACKS.find((l) => l.value === form.lookback)?.micros ?? 3600e6;
                const now = Date.now();
                setForm((f) => ({
                  ...f,
                  lookback,
                  from: new Date(now - previous / 1000).toISOString(),
                  to: new Date(now).toISOString(),
                }));
              } else set('lookback', lookback);
            }}
          >
            {form.lookback !== CUSTOM_LOOKBACK && !LOOKBACKS.some((l) => l.value === form.lookback) && (
              <option value={form.lookback}>{form.lookback}</option>
            )}
            {LOOKBACKS.map((l) => (
              <option key={l.value} value={l.value}>
                {l.label}
              </option>
            ))}
            <option value={CUSTOM_LOOKBACK}>Custom range…</option>
          </select>
        )}
      </Field>
      {form.lookback === CUSTOM_LOOKBACK && (
        <>
          <Field label="From" error={errors.from}>
            {(id) => (
              <input
                id={id}
                type="datetime-local"
                data-testid="search-from"
                value={instantToInput(form.from, zone)}
                onChange={(event) => set('from', inputToInstant(event.target.value, zone))}
              />
            )}
          </Field>
          <Field label="To" error={errors.to}>
            {(id) => (
              <input
                id={id}
                type="datetime-local"
                data-testid="search-to"
                value={instantToInput(form.to, zone)}
                onChange={(event) => set('to', inputToInstant(event.target.value, zone))}
              />
            )}
          </Field>
        </>
      )}
      <Field label="Time zone">
        {(id) => (
          <select id={id} data-testid="search-tz" value={zone} onChange={(event) => set('tz', event.target.value)}>
            <option value="local">Local ({Intl.DateTimeFormat().resolvedOptions().timeZone})</option>
            <option value="utc">UTC</option>
          </select>
        )}
      </Field>
      <div className="search-form-row">
        <Field label="Min duration" error={errors.minDuration}>
          {(id) => (
            <input
              id={id}
              type="text"
              data-testid="search-min-duration"
              value={form.minDuration}
              placeholder="e.g. 100ms"
              spellCheck={false}
              onChange={(event) => set('minDuration', event.target.value)}
            />
          )}
        </Field>
        <Field label="Max duration" error={errors.maxDuration}>
          {(id) => (
            <input
              id={id}
              type="text"
              data-testid="search-max-duration"
              value={form.maxDuration}
              placeholder="e.g. 1.5s"
              spellCheck={false}
              onChange={(event) => set('maxDuration', event.target.value)}
            />
          )}
        </Field>
      </div>
      <Field label="Limit" error={errors.limit}>
        {(id) => (
          <input
            id={id}
            type="number"
            min={1}
            max={MAX_LIMIT}
            data-testid="search-limit"
            value={form.limit}
            onChange={(event) => set('limit', event.target.value)}
          />
        )}
      </Field>
      <button type="submit" className="button button-primary search-submit" data-testid="search-submit">
        {searching ? 'Searching…' : 'Find traces'}
      </button>
    </form>
  );
}

interface FieldProps {
  readonly label: string;
  readonly error?: string | undefined;
  readonly hint?: string | undefined;
  readonly children: (id: string) => ReactNode;
}

function Field({ label, error, hint, children }: FieldProps) {
  const id = useId();
  return (
    <div className={error === undefined ? 'field' : 'field field-invalid'}>
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {error !== undefined ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : (
        hint !== undefined && <p className="field-hint">{hint}</p>
      )}
    </div>
  );
}
