import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anyValueToString, findAttribute, serviceNameOf } from '@ariadne/protocol';
import { detectResource, parseResourceAttributesEnv } from './detect-resource.js';

test('detects host, OS, process, runtime and SDK facts', () => {
  const resource = detectResource({ env: {} });
  const get = (key: string) => {
    const value = findAttribute(resource.attributes, key);
    return value === undefined ? undefined : anyValueToString(value);
  };
  assert.match(serviceNameOf(resource), /^unknown_service:/);
  for (const key of ['host.name', 'host.arch', 'os.type', 'os.description', 'process.executable.name']) {
    assert.ok(get(key), key);
  }
  assert.equal(get('process.pid'), String(process.pid));
  assert.equal(findAttribute(resource.attributes, 'process.command_args')?.type, 'array');
  assert.equal(get('process.runtime.name'), 'nodejs');
  assert.equal(get('process.runtime.version'), process.versions.node);
  assert.equal(get('telemetry.sdk.language'), 'nodejs');
  assert.equal(get('telemetry.sdk.name'), '@ariadne/sdk');
});

test('service.name: option, then OTEL_SERVICE_NAME, then OTEL_RESOURCE_ATTRIBUTES', () => {
  const env = { OTEL_SERVICE_NAME: 'from-env', OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs,team=a%20b' };
  assert.equal(serviceNameOf(detectResource({ env })), 'from-env');
  assert.equal(serviceNameOf(detectResource({ env, serviceName: 'code' })), 'code');
  assert.equal(
    serviceNameOf(detectResource({ env: { OTEL_RESOURCE_ATTRIBUTES: env.OTEL_RESOURCE_ATTRIBUTES } })),
    'from-attrs',
  );
  const team = findAttribute(detectResource({ env }).attributes, 'team');
  assert.deepEqual(team, { type: 'string', value: 'a b' });
});

test('OTEL_RESOURCE_ATTRIBUTES: a malformed value contributes nothing', () => {
  assert.deepEqual(parseResourceAttributesEnv('a=1, b = 2 ,'), { a: '1', b: '2' });
  assert.deepEqual(parseResourceAttributesEnv('a=1,broken'), {});
  assert.deepEqual(parseResourceAttributesEnv('a=%zz'), {});
  assert.deepEqual(parseResourceAttributesEnv(undefined), {});
});
