#!/usr/bin/env bash
# Extract all 67 Freedoom music pieces (Standard MIDI Files inside the WAD archives of Debian's
# freedoom package, BSD-style license: data/midi/LICENSE) into data/midi/freedoom/.
# Then ingest them:  ./belamy ingest midi data/midi/freedoom --corpus freedoom
# (or skip the extraction:  ./belamy ingest midi /usr/share/games/doom/*.wad --corpus freedoom)
#
# Needs apt-get (root or sudo) when the freedoom package is not installed, and python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=data/midi/freedoom
wads=(/usr/share/games/doom/freedoom1.wad /usr/share/games/doom/freedoom2.wad)
if [[ ! -f ${wads[0]} || ! -f ${wads[1]} ]]; then
    sudo_cmd=""
    if [[ $(id -u) -ne 0 ]]; then sudo_cmd=sudo; fi
    $sudo_cmd apt-get install -y --no-install-recommends freedoom
fi
mkdir -p "$out"
python3 - "$out" "${wads[@]}" <<'PY'
import struct, sys
out, wads = sys.argv[1], sys.argv[2:]
count = 0
for wad in wads:
    data = open(wad, "rb").read()
    kind, lumps, directory = struct.unpack("<4sii", data[:12])
    for i in range(lumps):
        offset, size, name = struct.unpack("<ii8s", data[directory + 16 * i:directory + 16 * (i + 1)])
        name = name.rstrip(b"\0").decode("ascii")
        if name.startswith("D_") and data[offset:offset + 4] == b"MThd":
            with open(f"{out}/{name}.mid", "wb") as f:
                f.write(data[offset:offset + size])
            count += 1
print(f"extracted {count} MIDI pieces into {out}")
PY
