#!/usr/bin/env bash
# Publish one text prompt with kcat and print every reply record of it, one JSON value per line,
# until the final one ("done":true). Nothing but kcat and bash.
#
# usage: kcat-prompt.sh BOOTSTRAP ID PROMPT
# environment:
#   BELAMY_TOPIC_PREFIX   topic prefix (default: belamy.)
#   BELAMY_PARAMS         JSON object of params (default: {"maxTokens":32})
#   BELAMY_TIMEOUT        seconds to wait for the final record (default: 60)
#
# example:
#   docs/examples/kcat-prompt.sh 127.0.0.1:9092 r1 "Once upon a time"
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: $0 BOOTSTRAP ID PROMPT" >&2
    exit 2
fi
bootstrap=$1 id=$2 prompt=$3
prefix=${BELAMY_TOPIC_PREFIX:-belamy.}
params=${BELAMY_PARAMS:-'{"maxTokens":32}'}
timeout_s=${BELAMY_TIMEOUT:-60}

json_escape() {
    local s=$1
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    s=${s//$'\n'/\\n}
    s=${s//$'\r'/\\r}
    s=${s//$'\t'/\\t}
    printf '%s' "$s"
}

value="{\"v\":1,\"id\":\"$(json_escape "$id")\",\"task\":\"text\",\"prompt\":\"$(json_escape "$prompt")\",\"params\":$params}"
start_ms=$(($(date +%s%N) / 1000000))

# Key and value separated by a tab; one message per line.
printf '%s\t%s\n' "$id" "$value" | kcat -P -b "$bootstrap" -t "${prefix}prompts" -K $'\t'

# Replies written since just before the prompt, from every partition, as "key<TAB>value".
coproc KCAT {
    exec timeout "$timeout_s" kcat -C -b "$bootstrap" -t "${prefix}generated.text" \
        -o "s@$start_ms" -u -q -f '%k\t%s\n'
}
while IFS=$'\t' read -r key reply <&"${KCAT[0]}"; do
    [[ "$key" == "$id" ]] || continue
    printf '%s\n' "$reply"
    if [[ "$reply" == *'"done":true'* ]]; then
        kill "$KCAT_PID" 2>/dev/null || true
        exit 0
    fi
done
echo "no final reply to $id within ${timeout_s}s" >&2
exit 1
