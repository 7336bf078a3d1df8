/** API discovery documents (kubectl reads them before anything else): /api, /apis and each served group-version. */

export function resource(
  name: string,
  kind: string,
  namespaced: boolean,
  verbs: string[],
  shortNames?: string[],
) {
  return {
    name,
    singularName: name.includes('/') ? '' : kind.toLowerCase(),
    namespaced,
    kind,
    verbs,
    ...(shortNames ? { shortNames } : {}),
  };
}

export function discovery(path: string): object | undefined {
  const group = (name: string, version: string, ...older: string[]) => ({
    name,
    versions: [version, ...older].map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${name}/${version}`, version },
  });
  switch (path) {
    case 'api':
      return {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
      };
    case 'apis':
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [
          group('apps', 'v1'),
          group('batch', 'v1'),
          group('autoscaling', 'v2', 'v1'),
          group('networking.k8s.io', 'v1'),
        ],
      };
    case 'apis/apps':
      return { kind: 'APIGroup', apiVersion: 'v1', ...group('apps', 'v1') };
    case 'apis/batch':
      return { kind: 'APIGroup', apiVersion: 'v1', ...group('batch', 'v1') };
    case 'apis/networking.k8s.io':
      return { kind: 'APIGroup', apiVersion: 'v1', ...group('networking.k8s.io', 'v1') };
    case 'apis/networking.k8s.io/v1':
      return {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: 'networking.k8s.io/v1',
        resources: [
          resource('networkpolicies', 'NetworkPolicy', true, ['create', 'delete', 'get', 'list'], ['netpol']),
        ],
      };
    case 'apis/autoscaling':
      return { kind: 'APIGroup', apiVersion: 'v1', ...group('autoscaling', 'v2', 'v1') };
    case 'api/v1':
      return {
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: [
          resource('nodes', 'Node', false, ['get', 'list', 'watch'], ['no']),
          resource('namespaces', 'Namespace', false, ['get'], ['ns']),
          resource('pods', 'Pod', true, ['get', 'list', 'watch'], ['po']),
          resource('pods/log', 'Pod', true, ['get']),
          resource('pods/proxy', 'PodProxyOptions', true, ['get']),
          resource('configmaps', 'ConfigMap', true, ['get', 'list', 'watch', 'patch'], ['cm']),
          resource('secrets', 'Secret', true, ['get', 'patch']),
        ],
      };
    case 'apis/apps/v1':
      return {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: 'apps/v1',
        resources: [
          {
            ...resource('deployments', 'Deployment', true, ['get', 'list', 'patch', 'watch'], ['deploy']),
            categories: ['all'],
          },
          {
            ...resource('deployments/scale', 'Scale', true, ['get', 'patch', 'update']),
            group: 'autoscaling',
            version: 'v1',
          },
          resource('deployments/status', 'Deployment', true, ['get']),
        ],
      };
    case 'apis/batch/v1':
      return {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: 'batch/v1',
        resources: [
          {
            ...resource('jobs', 'Job', true, ['create', 'delete', 'get', 'list', 'watch']),
            categories: ['all'],
          },
          resource('jobs/status', 'Job', true, ['get']),
        ],
      };
    case 'apis/autoscaling/v1':
      return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'autoscaling/v1', resources: [] };
    case 'apis/autoscaling/v2':
      return {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: 'autoscaling/v2',
        resources: [
          resource(
            'horizontalpodautoscalers',
            'HorizontalPodAutoscaler',
            true,
            ['get', 'list', 'patch'],
            ['hpa'],
          ),
        ],
      };
    default:
      return undefined;
  }
}
