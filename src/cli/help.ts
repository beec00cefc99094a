/**
 * `--help` and `explain --help`: the options and values are those the code accepts (the format list is explain's own).
 * `--help` is also what `kpt fn doc --image IMAGE` prints (kpt runs the image with `--help`), so it describes the
 * function's configuration and gives an example, as the kpt catalog's functions do.
 */
import { MODES, STRATEGIES } from '../config/order-spec.js';
import { EXPLAIN_FORMATS } from '../explain/formats.js';
import { version } from './io.js';

/** The function's one image name: released as `IMAGE:vX.Y.Z`, with floating `vX.Y` and `vX` tags, never `latest`. */
export const IMAGE = 'ghcr.io/order-containers/order-containers';

export const HELP = `Usage: order-containers [options] < resource-list.yaml > resource-list.yaml
       order-containers [-f FILE | -d KEY=VALUE ...] [FILE|DIR|-]... > manifests.yaml
       order-containers explain [-i FILE|DIR] [-f FILE | -d KEY=VALUE ...] [--format ${EXPLAIN_FORMATS.join('|')}] [--diff]
       order-containers help [explain]

Makes the containers of each pod template start and stop in the declared order.
Reads a KRM ResourceList (YAML or JSON) and writes it back with results. Given manifests instead (files,
folders, or a multi-document YAML stream on stdin, as Helm hands a post-renderer), it writes the same
stream with the edits, and each result as a line on stderr.

Options:
  -i, --input FILE             read the ResourceList from FILE instead of stdin ("-" is stdin)
  -o, --output FILE            write the ResourceList to FILE instead of stdout
  -f, --function-config FILE   use the ContainerOrder or ConfigMap in FILE as functionConfig
  -d KEY=VALUE                 add KEY=VALUE to a ConfigMap functionConfig (repeatable)
      --json                   read and write JSON
      --diff                   print what would change as a unified diff per file (a ResourceList's
                               files by kpt's path annotation) and write nothing; same exit codes
  -h, --help                   show this help
      --version                print the version

explain prints each workload's start and stop order: of a ResourceList, a multi-document YAML file or
a directory of manifests, as they are, or as the function would leave them when a functionConfig is
given (with -f, -d, in the ResourceList, or as a ContainerOrder among the manifests): explain --help.

Configuration: the functionConfig is a ContainerOrder (apiVersion order-containers.dev/v1alpha1) whose
spec fields, all optional, are:
  mode               ${MODES.join(' or ')}: apply writes the order (default); validate changes nothing and
                     fails where a workload does not realise it
  strategy           ${STRATEGIES.join(', ')}: auto (default) picks native from Kubernetes 1.29,
                     postStart below, entrypoint for a pod neither can order
  kubernetesVersion  the oldest kubelet the workloads run on, quoted ("1.29", the default)
  selector           kinds, names (* globs), namespaces, labelSelector: which workloads (default all)
  sidecars           [{name, waitFor: Started|Ready, stop: after|with}]: what the others wait for
  rules              [{container, after: [{container, condition: Started|Ready|Completed}]}]
  timeoutSeconds     the longest wait for a container to be Started or Ready (default 120)
  holdDependents     true: containers that wait for a postStart-gated one wait for it themselves too
  helperImage        the image whose static /bin/busybox runs the waits (default: pinned busybox)
  entrypoints        [{container or image, command, args}]: the program of a container without command
  presets            known sidecars by name (istio, linkerd, vault, cloud-sql-proxy, ...) or your own
  namespace          the namespace that workloads without one are applied into
  workloadKinds      [{apiVersion, kind, podTemplatePath}]: pod templates in kinds not built in
Or a ConfigMap (kpt fn eval DIR -- KEY=VALUE) with the keys mode, strategy, kubernetesVersion, sidecars,
order, timeoutSeconds, holdDependents, helperImage, entrypoints, presets and namespace, where sidecars is
a list (cloud-sql-proxy,vault-agent:Started) and order a chain (migrate:Completed > app). A workload can
carry its own order in the annotations order-containers.dev/sidecars and order-containers.dev/order, and
opt out with order-containers.dev/skip: "true". JSON Schemas of both forms are in the npm package.

Example: the Cloud SQL proxy ready before the others start, the migration completed before the api:
  kpt fn eval DIR --image ${IMAGE}:v${version()} -- \\
    sidecars=cloud-sql-proxy order='migrate:Completed > api'
or, as a file for --fn-config or a Kptfile's configPath:
  apiVersion: order-containers.dev/v1alpha1
  kind: ContainerOrder
  metadata:
    name: order
  spec:
    sidecars:
    - name: cloud-sql-proxy
    rules:
    - container: api
      after:
      - container: migrate
        condition: Completed

Exit codes: 0 ok, 1 an error result, 2 bad input or crash, 3 bad functionConfig.
Docs: https://github.com/order-containers/order-containers/tree/v${version()}#readme`;

export const EXPLAIN_HELP = `Usage: order-containers explain [-i FILE|DIR] [-f FILE | -d KEY=VALUE ...] [--format ${EXPLAIN_FORMATS.join('|')}] [--diff]

Prints each workload's start and stop order: of a ResourceList, a multi-document YAML file or a directory
of manifests, as they are, or as the function would leave them when a functionConfig is given (with -f,
-d, in the ResourceList, or as a ContainerOrder among the manifests).

Options:
  -i, --input FILE|DIR         read from FILE or the manifests in DIR instead of stdin ("-" is stdin)
  -f, --function-config FILE   use the ContainerOrder or ConfigMap in FILE as functionConfig
  -d KEY=VALUE                 add KEY=VALUE to a ConfigMap functionConfig (repeatable)
      --format FORMAT          ${EXPLAIN_FORMATS.join(', ')} (default text)
      --diff                   each workload before the function and after it: a changed timeline shown
                               both ways, its lines marked - and + (text), or {before, after} (json)
  -h, --help                   show this help

Exit codes: 0 ok, 1 an error result, 2 bad input, 3 bad functionConfig.`;
