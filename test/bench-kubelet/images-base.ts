/**
 * The images the bench holds besides the emulated sidecars: busybox (what the function's helper init
 * container copies into the pod), as Debian's static busybox. Its ENTRYPOINT and CMD follow the
 * official image (docker-library/busybox: `CMD ["sh"]`, no ENTRYPOINT).
 */
import { existsSync } from 'node:fs';
import type { ImageSpec } from './image-spec.js';
import { DEFAULT_PATH } from './images.js';

const BUSYBOX = [process.env.BUSYBOX, '/usr/bin/busybox', '/bin/busybox'].find((p): p is string => p !== undefined && existsSync(p));

function busybox(pattern: string): ImageSpec {
  return {
    pattern,
    base: 'scratch',
    files: { '/bin/busybox': { hostFile: BUSYBOX! }, '/bin/sh': { symlink: 'busybox' } },
    cmd: ['sh'],
    env: { PATH: DEFAULT_PATH },
    source: 'docker-library/busybox Dockerfile (FROM scratch, ADD rootfs, CMD ["sh"])',
  };
}

export const BASE_IMAGES: readonly ImageSpec[] =
  BUSYBOX === undefined ? [] : ['busybox', 'busybox:*', 'busybox@*', '*/busybox', '*/busybox:*', '*/busybox@*'].map(busybox);
