/** What an empty store needs: spans. The OTLP endpoint is the one thing most SDKs need to be told. */
export function SendSpansHelp() {
  const host = typeof window === 'undefined' ? 'localhost' : window.location.hostname || 'localhost';
  return (
    <>
      <p>Point any OpenTelemetry SDK or collector at Ariadne's OTLP receiver (HTTP, port 4318) and run your service:</p>
      <pre>{`OTEL_EXPORTER_OTLP_ENDPOINT=http://${host}:4318\nOTEL_SERVICE_NAME=my-service`}</pre>
      <p>Spans show up here a moment after they are sent; this page checks every few seconds.</p>
    </>
  );
}
