// `npm run demo:bands [bandId] [--batch]`: fetches a band with its reviews from
// bands-api (BANDS_URL, default http://127.0.0.1:8000), prints the JSON and the
// link to its trace in the UI (ARIADNE_UI_URL, default http://localhost:16686).
const args = process.argv.slice(2);
const bandId = args.find((a) => !a.startsWith('-')) ?? '1';
const batch = args.includes('--batch') ? '?batch=true' : '';
const bandsUrl = (process.env.BANDS_URL || 'http://127.0.0.1:8000').replace(/\/+$/, '');
const uiUrl = (process.env.ARIADNE_UI_URL || 'http://localhost:16686').replace(/\/+$/, '');

try {
  const response = await fetch(`${bandsUrl}/bands/${encodeURIComponent(bandId)}${batch}`);
  const body = await response.text();
  process.stdout.write(`${body}\n`);
  const traceId = response.headers.get('x-trace-id');
  if (traceId) process.stdout.write(`\nTrace: ${uiUrl}/trace/${traceId}\n`);
  if (!response.ok) process.exitCode = 1;
} catch (error) {
  process.stderr.write(`cannot reach bands-api at ${bandsUrl} (${String(error)}); start it with \`npm run demo\`\n`);
  process.exitCode = 1;
}
