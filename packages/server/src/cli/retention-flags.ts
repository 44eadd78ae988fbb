import type { ServeConfig } from '../app/serve-config.js';
import {
  DEFAULT_RETENTION_POLICIES,
  parseRetentionDuration,
  RetentionPolicyError,
  readRetentionPolicyFile,
} from '../retention/retention-policy.js';
import type { StoreKind } from '../storage/open-store.js';
import { serveUsageError } from './serve-usage-error.js';

/**
 * `--retention-kept <duration>` and `--retention-policy <file>`: the kept
 * tier. Checked now, so that a mistake stops the start with its reason.
 */
export function retentionTiersOfFlags(
  name: (flag: 'retention-kept' | 'retention-policy' | 'retention') => string,
  kept: string | undefined,
  policyFile: string | undefined,
  retentionNanos: bigint | undefined,
  storage: StoreKind,
): Pick<ServeConfig, 'retentionKeptNanos' | 'retentionPolicies'> {
  if (kept === undefined) {
    if (policyFile !== undefined) throw serveUsageError(`${name('retention-policy')} needs ${name('retention-kept')}`);
    return {};
  }
  if (storage === 'memory') throw serveUsageError(`${name('retention-kept')} needs a persistent store`);
  try {
    const keptNanos = parseRetentionDuration(name('retention-kept'), kept);
    if (retentionNanos === undefined || retentionNanos >= keptNanos) {
      throw serveUsageError(`${name('retention-kept')} needs ${name('retention')}, shorter than it`);
    }
    return {
      retentionKeptNanos: keptNanos,
      retentionPolicies: policyFile === undefined ? DEFAULT_RETENTION_POLICIES : readRetentionPolicyFile(policyFile),
    };
  } catch (error) {
    if (error instanceof RetentionPolicyError) throw serveUsageError(error.message);
    throw error;
  }
}
