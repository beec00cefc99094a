/**
 * A preset: what order-containers knows of one widely used sidecar, so that its users need not write
 * probes, wait commands or injector annotations. Built-in presets and the ones a config defines have
 * this one shape; nothing about a particular sidecar lives in code.
 */
import type { StopOrder } from '../order/declaration.js';

export interface Preset {
  readonly name: string;
  /** Container names it is, in a pod template. */
  readonly containers: readonly string[];
  /** Image patterns (`*` for any text) it is, whatever the container is called. */
  readonly images: readonly string[];
  /**
   * Where it says it is ready: HTTP GET when a path is given, a TCP connect otherwise. The port is the
   * program's default; none when it has no default (Envoy's admin port is whatever its bootstrap says),
   * and `reads` says where the container moves it.
   */
  readonly ready?: ReadyEndpoint;
  /** What its container's flags, env, ports and config files say about `ready` (presets/read.ts). */
  readonly reads?: Reads;
  /**
   * Versions that differ in flags or programs, told apart by image or program (the container's first
   * word of `command`): the first that matches replaces every field it names, and the ones it leaves out
   * are dropped (Cloud SQL proxy v1 has no `wait` command and takes no v2 flag).
   */
  readonly versions?: readonly PresetVersion[];
  /**
   * A command in its own image that blocks until it is ready: the postStart gate, with no helper.
   * `{timeoutSeconds}` in an argument becomes the config's timeoutSeconds.
   */
  readonly waitCommand?: readonly string[];
  /** Its image's ENTRYPOINT, for the entrypoint strategy, which must know the program to wrap. */
  readonly entrypoint?: readonly string[];
  /** Flags it needs for `ready` or `waitCommand` to work; added to its args when absent. */
  readonly requiredArgs?: readonly string[];
  /** An endpoint that makes it exit (HTTP POST), and what turns that endpoint on, if anything. */
  readonly quit?: QuitEndpoint;
  /**
   * Init containers of its own that run before it, as its injector places them (istio-init sets up the
   * traffic redirect the proxy serves): they stay before it when it becomes a native sidecar, while
   * the pod's other init containers start after it.
   */
  readonly initContainers?: readonly string[];
  /**
   * When it stops as the pod stops (absent: after the other containers): `with` them for an inbound
   * proxy, which would otherwise go on taking requests for an app that is gone.
   */
  readonly stop?: StopOrder;
  /** Set when an admission webhook adds it: how a workload opts in, and what to tell the injector. */
  readonly injection?: Injection;
}

export interface Endpoint {
  readonly port: number;
  readonly path?: string;
}

/** A quit endpoint, and what turns it on where the program serves it only when asked to. */
export interface QuitEndpoint extends Endpoint {
  /** The flag that turns it on (cloud-sql-proxy `--quitquitquit`): appended when the container lacks it. */
  readonly arg?: string;
  /**
   * The container's variable that turns it on (Linkerd's `LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED`):
   * the endpoint is used only where the container sets it to `value`, and never set by the preset.
   */
  readonly env?: { readonly name: string; readonly value: string };
  /**
   * The pod annotation its injector reads to turn it on (`config.linkerd.io/proxy-admin-shutdown`): set
   * on a Job's pod template only where the injected sidecar must be asked to quit (before 1.29).
   */
  readonly annotation?: { readonly key: string; readonly value: string };
}

/** `ready` with no port: the program has no default, only what its container sets. */
interface ReadyEndpoint {
  readonly port?: number;
  readonly path?: string;
}

/**
 * How a program is configured, as data: which flags and variables set the address and port `ready`
 * is served on, and what else declares it. presets/read.ts reads them, in the precedence it documents.
 */
export interface Reads {
  /**
   * How the program parses its flags: `pflag` (spf13/pflag, cobra: `--name=value`, `--name value`; the
   * syntax assumed when absent), `go` (Go's flag package: `-name` or `--name`, `=value` or the next word;
   * a bool takes no next word), `tclap` (Envoy: `--name value`, `-c value`).
   */
  readonly flagSyntax?: FlagSyntax;
  /** The flag (without dashes) that sets the ready port. */
  readonly portFlag?: string;
  /** The flag that sets the address the ready endpoint listens on, and its default. */
  readonly addressFlag?: { readonly name: string; readonly default: string };
  /**
   * The setting that gives both, as `[http://]HOST:PORT`, and its default: its port is the ready port,
   * and a loopback HOST is one kubelet's probes cannot reach.
   */
  readonly listen?: ListenSetting;
  /**
   * The prefix of the variables that stand for every flag (viper's AutomaticEnv: `CSQL_PROXY_` +
   * `HTTP_PORT` for `--http-port`): a flag set by its variable is read there and never appended.
   */
  readonly envPrefix?: string;
  /** Container port names that declare the ready port (`envoy-admin`). */
  readonly portNames?: readonly string[];
  /**
   * The ready port is the Envoy bootstrap's `admin.address`: read from the file `--config-path`/`-c`
   * names (else `default`, the image's own) when a ConfigMap in the ResourceList is mounted there.
   */
  readonly envoyBootstrap?: { readonly default: string };
  /**
   * The ready endpoint is an OpenTelemetry Collector's health_check extension, read from its config
   * (presets/collector.ts): the files `--config` names, mounted from ConfigMaps of the ResourceList.
   */
  readonly collectorConfig?: CollectorConfig;
  /** The flag (or its variable) that moves the quit endpoint's port. */
  readonly quitPortFlag?: string;
  /** The quit endpoint is served by the same server as `ready` (Envoy's admin): it moves with it. */
  readonly quitOnReadyPort?: boolean;
  /** The wait command reads its own flags only: the port it must poll is passed with this flag. */
  readonly waitPortFlag?: string;
}

/** Where the collector images keep their own config, which their CMD passes with `--config`. */
export interface CollectorConfig {
  readonly imageConfigs: readonly { readonly images: readonly string[]; readonly config: string }[];
}

export const FLAG_SYNTAXES = ['pflag', 'go', 'tclap'] as const;
export type FlagSyntax = (typeof FLAG_SYNTAXES)[number];

/**
 * Where a program is told the address its ready endpoint listens on: a flag (oauth2-proxy's
 * --http-address), also read from its variable where `envPrefix` gives one; or, for a program that takes
 * no flags, a variable alone (linkerd2-proxy's LINKERD2_PROXY_ADMIN_LISTEN_ADDR).
 */
export type ListenSetting = { readonly flag: string; readonly default: string } | { readonly variable: string; readonly default: string };

/** One version of a preset's program, and the fields that differ for it. */
export interface PresetVersion extends Pick<Preset, 'ready' | 'reads' | 'waitCommand' | 'entrypoint' | 'requiredArgs' | 'quit'> {
  readonly name: string;
  /** Image patterns (`*` for any text) of this version. */
  readonly images: readonly string[];
  /** Programs (the container's `command[0]`, by its base name) of this version. */
  readonly programs: readonly string[];
}

export type MarkerSource = 'podLabel' | 'podAnnotation' | 'namespaceLabel' | 'namespaceAnnotation';
export const MARKER_SOURCES: readonly MarkerSource[] = ['podLabel', 'podAnnotation', 'namespaceLabel', 'namespaceAnnotation'];

/** A label or annotation an injector reads; `value` may use `*` for any text. */
export interface InjectionMarker {
  readonly source: MarkerSource;
  readonly key: string;
  readonly value: string;
}

export interface Injection {
  /** Any of these on the pod template or its namespace opts in (the pod's own word wins). */
  readonly enabledBy: readonly InjectionMarker[];
  readonly disabledBy: readonly InjectionMarker[];
  /** Pod template annotations that make the injected sidecar a native sidecar (Kubernetes 1.29+). */
  readonly nativeAnnotations: Readonly<Record<string, string>>;
  /** Pod template annotations that hold the app until the injected sidecar is ready, on any version. */
  readonly postStartAnnotations: Readonly<Record<string, string>>;
  /** What the annotations cannot do, said as a warning whenever the preset applies. */
  readonly warning?: string;
  /**
   * Set when the injector can neither make its sidecar native nor hold the app until it is ready, and
   * runs an init container of its own before the app instead (Vault's vault-agent-init): the start order
   * names that init container, completed before the app, and never the sidecar, a regular container.
   */
  readonly initContainer?: string;
  /**
   * With initContainer: what a pod that runs to completion must do so that the sidecar, which no
   * Kubernetes version stops for it, does not keep it running; a warning for such workloads only.
   */
  readonly completion?: string;
}

export const TIMEOUT_PLACEHOLDER = '{timeoutSeconds}';
