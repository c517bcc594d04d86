#!/usr/bin/env bash
# Builds the sandbox's base image from Debian packages, for machines that cannot pull from a
# registry: debootstrap a minimal bookworm with python3 and the data stack, then `docker import`.
# Skipped when the image already exists. Usage: build_base_image.sh [IMAGE_TAG]
# A tag with "-data" (the sandbox's, nodeengine-base:bookworm-data1) gets the data stack; any
# other (the web and worker image's nodeengine-base:bookworm, deploy/build_images.sh) is python3
# alone, with apt intact: those images install their own packages with apt.
#
# The data stack (numpy, pandas, matplotlib: docs/rich_output.md) comes from Debian's own
# packages, installed here with the rootfs's apt, because that needs nothing but the Debian
# mirror this script already uses: no image registry, no PyPI, no network inside `docker build`,
# and packages built for exactly the python3 of the image. Kept lean:
# - --no-install-recommends (pandas' optional extras: scipy, numexpr, tables, bs4...);
# - python3-munkres satisfies python3-fonttools' "python3-scipy | python3-munkres", which apt
#   would otherwise resolve to scipy and with it pythran, gcc, g++, boost and OpenBLAS' -dev;
# - what matplotlib's Agg backend never loads is purged afterwards (dpkg --force-depends; the
#   image never runs apt again): the Tk chain that python3-pil.imagetk drags in, and the
#   fonttools Depends that only its font-building tools use (sympy, fs, lxml, ufoLib2,
#   unicode-data, libxml2 with ICU); the packages' own test suites and translations are deleted;
#   every shared object left is checked for a missing library, and the stack is
#   imported and made to draw a PNG, before the import.
# - numpy gets Debian's reference BLAS/LAPACK (libblas3, liblapack3): single-threaded, no
#   OpenBLAS thread pool in a one-CPU, pids-limited container.
# The tag names its contents: a machine with an older base (python3 alone) builds this one anew.
set -euo pipefail

BASE_TAG=${1:-${NODEENGINE_BASE_IMAGE:-nodeengine-base:bookworm-data1}}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=${DEBIAN_SUITE:-bookworm}
PACKAGES="python3-numpy python3-pandas python3-matplotlib python3-munkres"
# Never loaded by numpy, pandas or matplotlib's Agg backend (see above).
UNUSED_PACKAGES="python3-pil.imagetk python3-tk tk8.6-blt2.5 blt libtk8.6 libtcl8.6 tcl8.6
  libxft2 libxss1 x11-common python3-sympy python3-mpmath unicode-data python3-fs python3-lxml
  libxslt1.1 libxml2 libicu72 python3-ufolib2 python3-appdirs"

case "$BASE_TAG" in
  *-data*) with_data=1 ;;
  *) with_data=0 ;;
esac

if docker image inspect "$BASE_TAG" >/dev/null 2>&1; then
  echo "build_base_image: $BASE_TAG exists, skipping" >&2
  exit 0
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  echo "build_base_image: installing debootstrap" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq debootstrap >/dev/null
fi

rootfs=$(mktemp -d /var/tmp/nodeengine-rootfs.XXXXXX)
cleanup() {
  umount "$rootfs/proc" 2>/dev/null || true
  # Never descend into a /proc still mounted.
  if ! mountpoint -q "$rootfs/proc" 2>/dev/null; then rm -rf "$rootfs"; fi
  rm -f "$rootfs.log"
}
trap cleanup EXIT
fail() { tail -n 30 "$rootfs.log" >&2; exit 1; }
echo "build_base_image: debootstrap $SUITE with python3 into $rootfs (about a minute)" >&2
debootstrap --variant=minbase --include=python3 "$SUITE" "$rootfs" "$MIRROR" >"$rootfs.log" 2>&1 \
  || fail
if [ "$with_data" = 1 ]; then
  echo "build_base_image: apt-get install $PACKAGES (a few minutes)" >&2
  mount -t proc proc "$rootfs/proc"
  chroot "$rootfs" sh -c "export DEBIAN_FRONTEND=noninteractive; apt-get update -qq \
    && apt-get install -y -q --no-install-recommends $PACKAGES && apt-get clean" \
    >>"$rootfs.log" 2>&1 || fail

  installed=()
  for package in $UNUSED_PACKAGES; do
    if chroot "$rootfs" dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q installed; then
      installed+=("$package")
    fi
  done
  if [ ${#installed[@]} -gt 0 ]; then
    echo "build_base_image: purging ${installed[*]}" >&2
    chroot "$rootfs" dpkg --purge --force-depends "${installed[@]}" >>"$rootfs.log" 2>&1 || fail
  fi
  # Nothing left may need what was purged (PIL's Tk glue went with python3-pil.imagetk).
  missing=$(chroot "$rootfs" sh -c \
    'find /usr/lib/python3/dist-packages /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu \
       -name "*.so*" -type f 2>/dev/null | xargs -r ldd 2>/dev/null | grep "not found" | sort -u' \
    || true)
  if [ -n "$missing" ]; then
    echo "build_base_image: libraries missing after the purge:" >&2
    echo "$missing" >&2
    exit 1
  fi
  chroot "$rootfs" env HOME=/tmp MPLCONFIGDIR=/tmp/mpl-check python3 -c "
import io, numpy, pandas, matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
plt.plot(numpy.arange(3), pandas.Series([1, 3, 2]))
buffer = io.BytesIO()
plt.savefig(buffer, format='png')
assert buffer.getvalue().startswith(b'\x89PNG')" \
    || { echo "build_base_image: the data stack does not work" >&2; exit 1; }
  rm -rf "$rootfs/tmp/mpl-check"
  umount "$rootfs/proc"
  # The data stack's own test suites are dead weight (numpy.testing, pandas._testing stay).
  find "$rootfs"/usr/lib/python3/dist-packages/{numpy,pandas,matplotlib,mpl_toolkits,fontTools} \
    -depth -type d -name tests -exec rm -rf {} +
fi

# Package caches and lists are dead weight in an image (one that installs packages runs
# apt-get update first); so are the docs and the translations.
rm -rf "$rootfs"/usr/share/locale/*
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
  "$rootfs"/root/.cache "$rootfs"/root/.config
tar -C "$rootfs" -c . | docker import - "$BASE_TAG" >/dev/null
echo "build_base_image: imported $BASE_TAG" >&2
