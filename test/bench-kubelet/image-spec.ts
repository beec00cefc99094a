/** What an image holds, as the bench's registry describes it. */
export type ImageFile =
  | { readonly program: string; readonly config?: unknown } // an emulated program: file name in programs/ without .js
  | { readonly text: string; readonly mode?: number }
  | { readonly symlink: string }
  /** A file of the machine running the bench, e.g. Debian's static busybox. */
  | { readonly hostFile: string };
export interface ImageSpec {
  /** Glob on the whole image reference ("*" matches any run of characters, including "/" and ":"). */
  readonly pattern: string;
  /** distro: the host's /usr, /etc and shell are in the image; distroless: only the C library (no shell); scratch: nothing but the files. */
  readonly base: 'distro' | 'distroless' | 'scratch';
  readonly files: Readonly<Record<string, ImageFile>>;
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly workingDir?: string;
  /** The image's USER, as a number (kubelet's runAsNonRoot check reads it). */
  readonly user?: number;
  /** Citation: where the image's layout (ENTRYPOINT, paths, user) was read. */
  readonly source: string;
}
