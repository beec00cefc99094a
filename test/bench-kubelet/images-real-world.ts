/**
 * The images of the real-world manifests (test/real-world/sources.yaml) that the generic application
 * image (pod.ts appImage: a distro with the app at the path the manifest's command names) cannot stand
 * in for: images whose programs are named by probes or hooks at paths the manifest's command does not
 * name, images of several programs that share a pod's network, and images whose shell scripts need files
 * of the image. Each keeps the upstream layout (paths, ENTRYPOINT, CMD, USER) and makes the programs
 * that need a real node the generic app (programs/app.ts): on the bench they start, serve their ports,
 * become ready and stop on SIGTERM, and exec probes naming them pass once the app is ready. What each
 * real program needs that the bench has no node for is said beside it.
 *
 * Shell scripts that can run on the bench run for real: the distro base gives the host's shell and tools
 * (/bin/sh, cp), busybox images Debian's static busybox.
 *
 * Images the generic application image serves as is are not listed: the CSI sidecars and the Cinder CSI
 * plugin (their programs talk to a CSI socket, the OpenStack API and the node's kubelet; the nodeplugin's
 * preStop hook runs the distro's real /bin/sh), CoreDNS and the cluster-proportional-autoscaler (they
 * need the API server), and the Elasticsearch exporter (it needs an Elasticsearch).
 */
import type { ImageFile, ImageSpec } from './image-spec.js';
import { BASE_IMAGES } from './images-base.js';
import type { AppConfig } from './programs/app.js';
import { DEFAULT_PATH, globMatches } from './images.js';

const app = (config?: AppConfig): ImageFile => (config === undefined ? { program: 'app' } : { program: 'app', config });

/** The bench's busybox image (Debian's static busybox) with files of an image built FROM busybox; none when the bench has no busybox. */
function fromBusybox(pattern: string, files: ImageSpec['files'], source: string): ImageSpec[] {
  const busybox = BASE_IMAGES.find((i) => globMatches(i.pattern, 'busybox'));
  return busybox ? [{ ...busybox, pattern, files: { ...busybox.files, ...files }, source: `${source}, FROM ${busybox.source}` }] : [];
}

// --- flannel (Magnum's flannel-service.sh) ----------------------------------------------------------
// quay.io/coreos/flannel-cni: coreos/flannel-cni Dockerfile: FROM busybox, the CNI plugins of
// containernetworking/cni and /plugins v0.6.0 in /opt/cni/bin (scripts/build-image.sh), /install-cni.sh.
// Magnum's install-cni-plugins container runs its own script from the ConfigMap (`sh
// /etc/kube-flannel/magnum-install-cni.sh`), which copies /opt/cni/bin/* into the host's /opt/cni/bin:
// it runs for real on the bench, under busybox's sh and cp. The plugins themselves are what a node's
// container runtime runs to wire pods into the network; the bench never runs them, so they are the
// generic app (only their presence matters: the script copies them).
const CNI_PLUGINS = [
  'bridge',
  'cnitool',
  'dhcp',
  'flannel',
  'host-local',
  'ipvlan',
  'loopback',
  'macvlan',
  'noop',
  'portmap',
  'ptp',
  'tuning',
  'vlan',
];
const FLANNEL_CNI: ImageSpec[] = fromBusybox(
  'quay.io/coreos/flannel-cni:*',
  Object.fromEntries(CNI_PLUGINS.map((p) => [`/opt/cni/bin/${p}`, app()])),
  'coreos/flannel-cni Dockerfile and scripts/build-image.sh (CNI plugins v0.6.0 in /opt/cni/bin; /install-cni.sh, unused by Magnum, left out)',
);

// quay.io/coreos/flannel: flannel-io/flannel Dockerfile.amd64: an Alpine base (iproute2, net-tools),
// /opt/bin/flanneld, /opt/bin/mk-docker-opts.sh, ENTRYPOINT ["/opt/bin/flanneld"]. flanneld
// (--kube-subnet-mgr --ip-masq) needs the API server for its node's subnet, iptables for masquerading
// and a VXLAN device on the node (the pod is hostNetwork): the generic app. The install-cni container
// runs the image's `cp` into the host's /etc/cni/net.d: the distro's real cp does it on the bench.
const FLANNEL: ImageSpec = {
  pattern: 'quay.io/coreos/flannel:*',
  base: 'distro',
  files: { '/opt/bin/flanneld': app() },
  entrypoint: ['/opt/bin/flanneld'],
  env: { PATH: DEFAULT_PATH },
  source: 'flannel-io/flannel Dockerfile.amd64 (mk-docker-opts.sh and the iptables build left out)',
};

// --- Calico (Magnum's calico-service.sh) -------------------------------------------------------------
// docker.io/calico/node: projectcalico/node Dockerfile.amd64: a UBI 8 base, /bin/calico-node, the BIRD
// binaries in /bin, CMD ["start_runit"] (a script of the image's filesystem/ on PATH; its folder is
// taken to be /usr/sbin, unconfirmed). start_runit runs felix (iptables, routes, the node's interfaces),
// BIRD (BGP peering with other nodes) and confd (the API server) under runit: none can run without a
// node, so start_runit is the generic app. The probes and the preStop hook run `/bin/calico-node
// -felix-ready -bird-ready`, `-felix-live -bird-live` and `-shutdown`: that is the app too, which
// answers in exec mode (exit 0 once the container is ready), as calico-node does once felix and BIRD
// report ready. The 3.13 image was built the same way (CMD and /bin/calico-node), its base aside.
const CALICO_NODE: ImageSpec = {
  pattern: 'docker.io/calico/node:*',
  base: 'distro',
  files: { '/usr/sbin/start_runit': app(), '/bin/calico-node': app() },
  cmd: ['start_runit'],
  env: { PATH: DEFAULT_PATH },
  source: 'projectcalico/node Dockerfile.amd64 (CMD ["start_runit"], COPY dist/bin/calico-node-amd64 /bin/calico-node)',
};

// docker.io/calico/cni: projectcalico/cni-plugin Dockerfile.amd64: a UBI 8 base, the binaries of
// bin/amd64/ in /opt/cni/bin (calico, calico-ipam; `install` is there too, since the 3.13 manifest runs
// /opt/cni/bin/install), ENV PATH=$PATH:/opt/cni/bin, WORKDIR /opt/cni/bin, CMD ["/opt/cni/bin/calico"]. `calico-ipam
// -upgrade` migrates host-local IPAM data through the API server; `install` writes a kubeconfig from
// the service account token and the CNI config into the host's /etc/cni/net.d: neither has an API
// server or a token on the bench, so both are the generic app (they run to completion).
const CALICO_CNI: ImageSpec = {
  pattern: 'docker.io/calico/cni:*',
  base: 'distro',
  files: { '/opt/cni/bin/calico': app(), '/opt/cni/bin/calico-ipam': app(), '/opt/cni/bin/install': app() },
  cmd: ['/opt/cni/bin/calico'],
  env: { PATH: `${DEFAULT_PATH}:/opt/cni/bin` },
  workingDir: '/opt/cni/bin',
  source: 'projectcalico/cni-plugin Dockerfile.amd64 (/install-cni.sh and calico.conf.tmp of later images left out)',
};

// docker.io/calico/pod2daemon-flexvol: projectcalico/pod2daemon Dockerfile.amd64: a UBI 8 base,
// /usr/local/bin/flexvol.sh and the driver /usr/local/bin/flexvol, ENTRYPOINT
// ["/usr/local/bin/flexvol.sh"]. The script (flexvol/docker/flexvol.sh, not reproduced here) copies
// the driver into the host's FlexVolume plugin folder, where the node's kubelet loads it to mount the
// nodeagent~uds volumes of Calico's application layer policy: the bench has no such kubelet, so the
// script is the generic app (it runs to completion), and so is the driver it would copy.
const CALICO_FLEXVOL: ImageSpec = {
  pattern: 'docker.io/calico/pod2daemon-flexvol:*',
  base: 'distro',
  files: { '/usr/local/bin/flexvol.sh': app(), '/usr/local/bin/flexvol': app() },
  entrypoint: ['/usr/local/bin/flexvol.sh'],
  env: { PATH: DEFAULT_PATH },
  source: 'projectcalico/pod2daemon Dockerfile.amd64, flexvol/docker/flexvol.sh',
};

// docker.io/calico/kube-controllers: projectcalico/kube-controllers Dockerfile.amd64 (the version read
// builds FROM scratch with USER 999; the 3.13 base is unconfirmed): /usr/bin/kube-controllers,
// /usr/bin/check-status, ENTRYPOINT ["/usr/bin/kube-controllers"]. The controllers watch the API server
// and write their status to /status/status.json, which `check-status -r` / `-l` (the manifest's exec
// probes) read: both are the generic app, the probes answering in exec mode.
const CALICO_KUBE_CONTROLLERS: ImageSpec = {
  pattern: 'docker.io/calico/kube-controllers:*',
  base: 'scratch',
  files: { '/usr/bin/kube-controllers': app(), '/usr/bin/check-status': app() },
  entrypoint: ['/usr/bin/kube-controllers'],
  user: 999,
  source: 'projectcalico/kube-controllers Dockerfile.amd64',
};

// --- kube-dns (structured-merge-diff's k8s-deployment.yaml) -------------------------------------------
// kubernetes/dns Dockerfile.dnsmasq-nanny, Dockerfile.kube-dns, Dockerfile.sidecar: each program alone
// at the root (/dnsmasq-nanny, /kube-dns, /sidecar) as the ENTRYPOINT, over a base given as a build
// argument (taken as distroless: nothing runs a shell). The three containers share the pod's network,
// and the generic app would listen on every port its container's probes name: but the liveness probes of
// dnsmasq and kubedns (port 10054) are answered by the sidecar, as in the real pod. So each program
// serves only its own ports: dnsmasq (started by the nanny) 53; kube-dns 10053 (DNS), 8081 (its
// readiness endpoint, --healthz-port) and 10055 (PROMETHEUS_PORT); the sidecar 10054 (metrics and the
// /healthcheck/* endpoints). What they really serve is DNS from the API server's Services (kube-dns),
// a cache in front of it (dnsmasq) and DNS probes of both (sidecar): the bench has no API server, and
// its app serves HTTP only.
const kubeDns = (name: string, bin: string, ports: readonly number[]): ImageSpec => ({
  pattern: `k8s.gcr.io/k8s-dns-${name}-*`,
  base: 'distroless',
  files: { [bin]: app({ ports }) },
  entrypoint: [bin],
  source: `kubernetes/dns Dockerfile.${name === 'dnsmasq-nanny' ? 'dnsmasq-nanny (FROM k8s-dns-dnsmasq: images/dnsmasq/Dockerfile)' : name}`,
});

export const REAL_WORLD_IMAGES: readonly ImageSpec[] = [
  ...FLANNEL_CNI,
  FLANNEL,
  CALICO_NODE,
  CALICO_CNI,
  CALICO_FLEXVOL,
  CALICO_KUBE_CONTROLLERS,
  kubeDns('dnsmasq-nanny', '/dnsmasq-nanny', [53]),
  kubeDns('kube-dns', '/kube-dns', [10053, 8081, 10055]),
  kubeDns('sidecar', '/sidecar', [10054]),
];
