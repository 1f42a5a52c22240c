#!/usr/bin/env bash
# Stages the image's build context in docker/build: lib/ (third-party jars the Flink image lacks)
# and usrlib/belamy-jobs.jar (belamy's classes). Then: docker build -t belamy:0.1.0 docker/build
set -euo pipefail
cd "$(dirname "$0")/.."
./belamy --version >/dev/null          # builds app/target/lib if needed
rm -rf docker/build
mkdir -p docker/build/lib docker/build/usrlib
cp docker/Dockerfile docker/build/Dockerfile
# Only what the jobs need beyond the Flink image: DJL and the libraries it loads, the Kafka
# connector and client, Jackson (Flink shades its own), the Prometheus reporter.
for jar in app/target/lib/*.jar; do
    name=$(basename "$jar")
    case "$name" in
        api-*|pytorch-*|tokenizers-*|gson-*|jna-*|\
        flink-connector-base-*|flink-connector-kafka-*|flink-metrics-prometheus-*|simpleclient*|\
        kafka-clients-*|zstd-jni-*|lz4-java-*|snappy-java-*|jackson-*)
            cp "$jar" docker/build/lib/ ;;
    esac
done
./belamy cluster job-jar -o docker/build/usrlib/belamy-jobs.jar
echo "staged docker/build: $(ls docker/build/lib | wc -l) jars in lib/, usrlib/belamy-jobs.jar"
