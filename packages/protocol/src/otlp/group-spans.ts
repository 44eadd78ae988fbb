import type { InstrumentationScope, Resource, Span } from '../model/span.js';

export interface ScopeGroup {
  readonly scope: InstrumentationScope;
  readonly spans: Span[];
}

export interface ResourceGroup {
  readonly resource: Resource;
  readonly scopes: ScopeGroup[];
}

/**
 * Groups spans by resource, then scope, by object identity: decoders and the
 * SDK share these objects between the spans of a batch, so identity is both
 * cheap and what "the same resource" means. Equal but distinct objects make
 * separate groups, which is still a correct (if larger) request.
 * Groups keep the order in which they first appear.
 */
export function groupSpansByResourceAndScope(spans: readonly Span[]): ResourceGroup[] {
  const groups: ResourceGroup[] = [];
  const byResource = new Map<Resource, ResourceGroup>();
  const byScope = new Map<Resource, Map<InstrumentationScope, ScopeGroup>>();
  let lastResource: Resource | undefined;
  let lastScope: InstrumentationScope | undefined;
  let lastGroup: ScopeGroup | undefined;
  for (const span of spans) {
    // Runs of spans with the same resource and scope are the common case: skip the maps.
    if (span.resource === lastResource && span.scope === lastScope && lastGroup !== undefined) {
      lastGroup.spans.push(span);
      continue;
    }
    let resourceGroup = byResource.get(span.resource);
    let scopes = byScope.get(span.resource);
    if (resourceGroup === undefined || scopes === undefined) {
      resourceGroup = { resource: span.resource, scopes: [] };
      scopes = new Map();
      byResource.set(span.resource, resourceGroup);
      byScope.set(span.resource, scopes);
      groups.push(resourceGroup);
    }
    let scopeGroup = scopes.get(span.scope);
    if (scopeGroup === undefined) {
      scopeGroup = { scope: span.scope, spans: [] };
      scopes.set(span.scope, scopeGroup);
      resourceGroup.scopes.push(scopeGroup);
    }
    scopeGroup.spans.push(span);
    lastResource = span.resource;
    lastScope = span.scope;
    lastGroup = scopeGroup;
  }
  return groups;
}
