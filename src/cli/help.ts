/** `--help` and `explain --help`: the options and values are those the code accepts (the format list is explain's own). */
import { EXPLAIN_FORMATS } from '../explain/formats.js';

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

Exit codes: 0 ok, 1 an error result, 2 bad input or crash, 3 bad functionConfig.
Docs: README.md in the package.`;

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
