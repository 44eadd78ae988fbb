// npm run w3c-service -w @ariadne/sdk -- PORT [HOST]: the W3C Trace Context test suite's service,
// for its harness (`python test.py http://HOST:PORT/test`).
import { startW3cTestService } from './test-service.js';

const [portArg = '', host = '127.0.0.1'] = process.argv.slice(2);
const port = Number(portArg);
if (!/^\d+$/.test(portArg) || port > 65535) {
  console.error(`usage: npm run w3c-service -w @ariadne/sdk -- PORT [HOST]  (PORT 0-65535, got "${portArg}")`);
  process.exit(2);
}
try {
  const service = await startW3cTestService(port, host);
  console.log(`W3C Trace Context test service listening on ${service.url}`);
  const stop = () => void service.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  console.error(`cannot listen on ${host}:${port}: ${(error as Error).message}`);
  process.exit(1);
}
