import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { isApiError } from '../../api/api-error.js';
import { PageMessage } from '../../components/page-message.js';
import { SendSpansHelp } from '../../components/send-spans-help.js';
import { useServices } from '../../hooks/use-services.js';
import { useTraceSearch } from '../../hooks/use-trace-search.js';
import { useTraceQlSearch } from '../../hooks/use-traceql-search.js';
import { formFromUrl, formToUrl, orderFromUrl, type SearchForm, validateForm } from '../../search/search-params.js';
import type { TraceOrder } from '../../trace/summarize-trace.js';
import { SearchFormPanel } from './search-form.js';
import { SearchResults } from './search-results.js';
import { TraceQlBox } from './traceql-box.js';
import './search-page.css';

/**
 * `/` and `/search`. The URL query is the search: the form writes it, the
 * results read it, so back/forward, reload and shared links all work. With no
 * query the page lists the most recent traces of every service.
 */
export function SearchPage() {
  const [params, setParams] = useSearchParams();
  const queryClient = useQueryClient();
  const form = useMemo(() => formFromUrl(params), [params]);
  const order = orderFromUrl(params);
  const validated = useMemo(() => validateForm(form), [form]);
  const services = useServices();
  const q = params.get('q') ?? '';
  const jaegerResults = useTraceSearch(validated.ok && q === '' ? validated.search : undefined);
  const traceQlWindow = useMemo(() => {
    if (!validated.ok) return undefined;
    const end = validated.search.endMicros ?? Date.now() * 1000;
    return { startMicros: validated.search.startMicros ?? end - validated.search.lookbackMicros, endMicros: end };
  }, [validated]);
  const traceQlResults = useTraceQlSearch(q, traceQlWindow, validated.ok ? validated.search.limit : 20);
  const results = q === '' ? jaegerResults : traceQlResults;
  const runTraceQl = useCallback(
    (query: string) =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        if (query === '') next.delete('q');
        else next.set('q', query);
        return next;
      }),
    [setParams],
  );

  const onSubmit = useCallback(
    (next: SearchForm) => {
      const nextParams = formToUrl(next, order);
      // The same search again means "look again": its window ends now.
      if (nextParams.toString() === formToUrl(form, order).toString()) {
        void queryClient.invalidateQueries({ queryKey: ['traces'] });
      }
      setParams(nextParams);
    },
    [form, order, queryClient, setParams],
  );
  const onOrderChange = useCallback(
    (next: TraceOrder) => {
      const nextParams = formToUrl(form, next);
      if (q !== '') nextParams.set('q', q);
      setParams(nextParams, { replace: true });
    },
    [form, q, setParams],
  );

  if (services.isPending) return <PageMessage title="Loading services…" tone="loading" />;
  if (services.isError) {
    return (
      <PageMessage title="Cannot load the list of services" tone="error">
        <p>{services.error.message}</p>
        <p>Check that the Ariadne server is running and reachable, then try again.</p>
        <button type="button" className="button" onClick={() => void services.refetch()}>
          Try again
        </button>
      </PageMessage>
    );
  }
  if (services.data.length === 0) {
    return (
      <PageMessage title="No traces yet" testId="empty-store">
        <SendSpansHelp />
        <button type="button" className="button" disabled={services.isFetching} onClick={() => void services.refetch()}>
          {services.isFetching ? 'Checking…' : 'Check again'}
        </button>
      </PageMessage>
    );
  }

  return (
    <div className="search-page">
      {/* The URL the form below was last reset to (tests wait for it before typing again). */}
      <aside className="search-sidebar" data-search-params={params.toString()}>
        <SearchFormPanel
          // A new URL (back, forward, a link) resets what is typed to what the URL says.
          key={params.toString()}
          initial={form}
          errors={validated.ok ? {} : validated.errors}
          services={services.data}
          searching={results.isFetching}
          onSubmit={onSubmit}
        />
      </aside>
      <section className="search-main">
        <TraceQlBox key={q} initial={q} onRun={runTraceQl} onClear={() => runTraceQl('')} />
        {!validated.ok ? (
          <PageMessage title="This search cannot run" tone="error">
            <p>Correct the fields marked in the form, then press Find traces.</p>
          </PageMessage>
        ) : results.isPending ? (
          <PageMessage title="Searching…" tone="loading" />
        ) : results.isError ? (
          <PageMessage title="The search failed" tone="error">
            <p>{results.error.message}</p>
            <p>
              {q !== '' && isApiError(results.error, 'NotFound')
                ? 'This server does not answer TraceQL searches on this port (no /api/search here); use the form, or query the Tempo port.'
                : isApiError(results.error, 'BadRequest')
                  ? 'The server refused this search; adjust the form and try again.'
                  : 'Try again in a moment; if it keeps failing, check the server logs.'}
            </p>
            <button type="button" className="button" onClick={() => void results.refetch()}>
              Try again
            </button>
          </PageMessage>
        ) : results.data.length === 0 ? (
          <PageMessage title="No traces match" testId="search-results">
            <p>
              Nothing in{' '}
              {form.lookback === 'custom'
                ? 'this time range'
                : form.lookback === '1h'
                  ? 'the last hour'
                  : `the last ${form.lookback}`}{' '}
              matches this search. Widen the lookback, remove a filter, or pick <Link to="/search">All services</Link>.
            </p>
          </PageMessage>
        ) : (
          <SearchResults
            summaries={results.data}
            order={order}
            onOrderChange={onOrderChange}
            stale={results.isPlaceholderData}
            zone={form.tz === 'utc' ? 'utc' : 'local'}
          />
        )}
      </section>
    </div>
  );
}
