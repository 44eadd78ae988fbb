// jaeger-client ships no types and has none on DefinitelyTyped that match 3.x:
// the interop test uses a handful of its calls, typed loosely here.
declare module 'jaeger-client' {
  // biome-ignore lint/suspicious/noExplicitAny: an untyped CommonJS client.
  const client: any;
  export = client;
}
