/**
 * The bench's image registry: which files an image reference holds, and its ENTRYPOINT, CMD, ENV,
 * WORKDIR and USER. Each image is laid out once per run as a directory, the top layer of every
 * container root made from it (runtime.ts lays the base under it).
 */
import { chmodSync, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import type { ImageFile, ImageSpec } from './image-spec.js';

export type { ImageFile, ImageSpec };

export interface Image {
  readonly ref: string;
  readonly spec: ImageSpec;
  /** The image's files, laid out. */
  readonly dir: string;
  /** What lies under them: the skeleton of the base (distro, distroless or scratch). */
  readonly baseDir: string;
}

/** The image ENV most images set (Docker's default PATH). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function globRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** Whether a glob ("*" matches any run of characters) matches the whole of `value`. */
export function globMatches(pattern: string, value: string): boolean {
  return globRegExp(pattern).test(value);
}

/** The top-level symlinks of the host (bin -> usr/bin on a merged-/usr system), which a distro image shares. */
function hostTopLinks(): Map<string, string> {
  const links = new Map<string, string>();
  for (const name of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    try {
      if (lstatSync(`/${name}`).isSymbolicLink()) links.set(name, readlinkSync(`/${name}`));
    } catch {
      // absent on this host
    }
  }
  return links;
}

/** The shared libraries the bench's node needs (its ldd), for images that have no C library of their own. */
function nodeLibraries(): string[] {
  const r = spawnSync('ldd', [process.execPath], { encoding: 'utf8' });
  return [...r.stdout.matchAll(/(\/\S+)\s+\(0x/g)].map((m) => m[1]!);
}

export class ImageRegistry {
  private readonly compiled: { readonly spec: ImageSpec; readonly re: RegExp }[];
  private readonly laidOut = new Map<string, Image>();
  private readonly bases = new Map<ImageSpec['base'], string>();
  private readonly links = hostTopLinks();

  constructor(
    specs: readonly ImageSpec[],
    private readonly dir: string,
  ) {
    this.compiled = specs.map((spec) => ({ spec, re: globRegExp(spec.pattern) }));
  }

  /** The image a reference names, laid out; undefined when the registry has none (kubelet: ErrImagePull). */
  pull(ref: string): Image | undefined {
    const found = this.compiled.find((c) => c.re.test(ref));
    return found && this.layOut(ref, found.spec);
  }

  /** An image the registry does not list but the caller describes (the generic application image). */
  layOut(ref: string, spec: ImageSpec): Image {
    const key = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16);
    const known = this.laidOut.get(key);
    if (known) return { ...known, ref };
    const dir = join(this.dir, 'images', key);
    mkdirSync(dir, { recursive: true });
    for (const [path, file] of Object.entries(spec.files)) this.writeFile(dir, this.inImage(spec, path), file);
    const image = { ref, spec, dir, baseDir: this.base(spec.base) };
    this.laidOut.set(key, image);
    return image;
  }

  /** Where a path of the image lies once the base is under it: a distro's /bin is its /usr/bin. */
  private inImage(spec: ImageSpec, path: string): string {
    const [, top, ...rest] = path.split('/');
    const link = spec.base === 'distro' ? this.links.get(top!) : undefined;
    return link === undefined ? path : `/${[link, ...rest].join('/')}`;
  }

  private writeFile(dir: string, path: string, file: ImageFile): void {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    if ('program' in file) {
      const config = file.config === undefined ? '' : `globalThis.benchProgramConfig = ${JSON.stringify(file.config)};\n`;
      writeFileSync(target, `#!/.bench/node\n${config}import('/.bench/programs/${file.program}.js');\n`);
      chmodSync(target, 0o755);
    } else if ('text' in file) {
      writeFileSync(target, file.text);
      chmodSync(target, file.mode ?? 0o644);
    } else if ('symlink' in file) {
      symlinkSync(file.symlink, target);
    } else {
      try {
        linkSync(file.hostFile, target);
      } catch {
        copyFileSync(file.hostFile, target);
      }
      chmodSync(target, 0o755);
    }
  }

  /**
   * The skeleton under an image's files. distro: the host's top-level links (its /usr and /etc are
   * mounted over it by the runtime); distroless and scratch: the C and C++ libraries the emulated
   * programs' node needs (a concession: scratch images have none), and no shell.
   */
  private base(kind: ImageSpec['base']): string {
    const known = this.bases.get(kind);
    if (known) return known;
    const dir = join(this.dir, 'bases', kind);
    for (const d of ['proc', 'dev', 'etc', 'usr', 'var', '.bench']) mkdirSync(join(dir, d), { recursive: true });
    mkdirSync(join(dir, 'tmp'), { recursive: true });
    chmodSync(join(dir, 'tmp'), 0o1777);
    if (kind === 'distro') {
      for (const [name, target] of this.links) symlinkSync(target, join(dir, name));
    } else {
      for (const lib of nodeLibraries()) {
        const target = join(dir, lib);
        mkdirSync(dirname(target), { recursive: true });
        if (!existsSync(target)) copyFileSync(lib, target);
      }
      writeFileSync(
        join(dir, 'etc', 'passwd'),
        'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n',
      );
    }
    this.bases.set(kind, dir);
    return dir;
  }
}
