#!/bin/sh
# canhgac-collect.sh: print this Linux host's inventory as one JSON document on stdout.
#
#   sh canhgac-collect.sh > "$(uname -n).json"
#
# Format: canhgac/inventory/collectors/schema/host-inventory.schema.json ("canhgac-host-inventory" 1.0), read by
# canhgac's "host-json" importer. Documentation: docs/importers/host-collector.md.
#
# POSIX sh (dash, bash, busybox ash). Needs coreutils, awk and sed; uses whichever of ip,
# hostname, dpkg-query, rpm, apk, ss and netstat it finds, with fallbacks to files under /etc,
# /var/lib/dpkg, /lib/apk and /proc. Runs as a normal user: what it cannot read is left out.
# Every outside command gets a time limit when coreutils' timeout exists, and /dev/null as its
# input, so it does not hang (and "ssh host sh -s < canhgac-collect.sh" works).
# It reads no user data: no home directories, no process arguments or environments, no file
# contents besides os-release and the package databases.

set -u
LC_ALL=C
export LC_ALL

COLLECTOR_NAME=canhgac-collect.sh
COLLECTOR_VERSION=1.0.0
SCHEMA_ID=canhgac-host-inventory
SCHEMA_VERSION=1.0

case "${1:-}" in
    -h | --help)
        echo "usage: sh canhgac-collect.sh > host.json  (prints one JSON document on stdout)"
        exit 0
        ;;
esac

have() {
    command -v "$1" >/dev/null 2>&1
}

# limited SECONDS COMMAND...: run COMMAND, killed after SECONDS (or $CANHGAC_COLLECT_TIMEOUT)
# if coreutils' timeout exists.
limited() {
    limit=${CANHGAC_COLLECT_TIMEOUT:-$1}
    shift
    if have timeout; then
        timeout "$limit" "$@" </dev/null
    else
        "$@" </dev/null
    fi
}

# Record lines for the renderer below: TYPE<TAB>fields...; tabs and newlines in a value
# become spaces.
field() {
    printf '%s\t%s\t' "$1" "$2"
    printf '%s' "$3" | tr '\t\r\n' '   '
    printf '\n'
}

collect_identity() {
    field F collected_at "$(date -u '+%Y-%m-%dT%H:%M:%SZ')"
    host_name=$(uname -n 2>/dev/null) || host_name=""
    if [ -z "$host_name" ] && [ -r /proc/sys/kernel/hostname ]; then
        host_name=$(cat /proc/sys/kernel/hostname 2>/dev/null) || host_name=""
    fi
    field F hostname "${host_name:-localhost}"
    fqdn=""
    if have hostname; then
        fqdn=$(limited 10 hostname -f 2>/dev/null | head -n 1) || fqdn=""
    fi
    if [ -n "$fqdn" ]; then
        field F fqdn "$fqdn"
    fi
}

collect_addresses() {
    addresses=""
    if have ip; then
        addresses=$(limited 10 ip -o addr show 2>/dev/null | awk '{
            for (i = 1; i < NF; i++)
                if ($i == "inet" || $i == "inet6") { sub(/\/.*/, "", $(i + 1)); print $(i + 1) }
        }')
    fi
    if [ -z "$addresses" ] && have hostname; then
        addresses=$(limited 10 hostname -I 2>/dev/null | tr ' ' '\n')
    fi
    if [ -z "$addresses" ]; then
        # No ip, no hostname -I: the kernel's own tables. IPv4: the "/32 host LOCAL" leaves of
        # the routing trie; IPv6: 32 hex digits in network order, scope 00 = global.
        addresses=$(
            awk '$1 == "|--" { last = $2 }
                $1 == "/32" && $2 == "host" && $3 == "LOCAL" { print last }' \
                /proc/net/fib_trie 2>/dev/null
            awk '$4 == "00" && length($1) == 32 {
                address = ""
                for (g = 0; g < 8; g++) {
                    group = substr($1, g * 4 + 1, 4); sub(/^0+/, "", group)
                    address = address (g ? ":" : "") (group == "" ? "0" : group)
                }
                print address }' /proc/net/if_inet6 2>/dev/null
        )
    fi
    printf '%s\n' "$addresses" | awk '
        { address = tolower($1) }
        address == "" || address ~ /^127\./ || address == "::1" || address ~ /^fe80:/ { next }
        address ~ /^169\.254\./ || address ~ /%/ { next }
        { print "I\t" address }'
}

collect_os() {
    release_file=/etc/os-release
    [ -r "$release_file" ] || release_file=/usr/lib/os-release
    if [ -r "$release_file" ]; then
        awk '
            BEGIN {
                names["NAME"] = "name"; names["ID"] = "id"; names["ID_LIKE"] = "id_like"
                names["VERSION_ID"] = "version_id"; names["VERSION"] = "version"
                names["VERSION_CODENAME"] = "version_codename"
                names["PRETTY_NAME"] = "pretty_name"; names["CPE_NAME"] = "cpe_name"
            }
            /^[A-Z_][A-Z0-9_]*=/ {
                key = substr($0, 1, index($0, "=") - 1)
                if (!(key in names)) next
                value = substr($0, index($0, "=") + 1)
                if (value ~ /^".*"$/) {
                    value = substr(value, 2, length(value) - 2)
                    out = ""
                    for (i = 1; i <= length(value); i++) {
                        c = substr(value, i, 1)
                        if (c == "\\" && i < length(value)) { i++; c = substr(value, i, 1) }
                        out = out c
                    }
                    value = out
                } else if (value ~ /^\047.*\047$/) {
                    value = substr(value, 2, length(value) - 2)
                }
                gsub(/\t/, " ", value)
                if (value != "") print "O\t" names[key] "\t" value
            }' "$release_file" 2>/dev/null
    fi
    field K release "$(uname -r 2>/dev/null)"
    field K machine "$(uname -m 2>/dev/null)"
}

# Package and listening sections: "S<TAB>section" once a source was read, "X<TAB>section" when
# a source failed or timed out (the section is then listed in "incomplete"). A section no
# source could read is left out of the document.
collect_dpkg() {
    if have dpkg-query; then
        # shellcheck disable=SC2016  # ${...} are dpkg-query fields, not shell variables
        format='${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}'
        # shellcheck disable=SC2016
        format="$format"'\t${source:Package}\t${source:Version}\n'
        if listing=$(limited 120 dpkg-query -W -f "$format" 2>/dev/null); then
            printf '%s\n' "$listing" | awk -F '\t' '$1 ~ /^[ih]i/ && $2 != "" && $3 != "" {
                print "P\tdpkg\t" $2 "\t" $3 "\t" $4 "\t\t" $5 "\t" $6 }'
            printf 'S\tpackages\n'
            return 0
        fi
        [ -r /var/lib/dpkg/status ] || printf 'X\tpackages\n'
    fi
    [ -r /var/lib/dpkg/status ] || return 0
    awk '
        function flush() {
            if (name != "" && version != "" && status ~ / installed$/) {
                if (source == "") { source = name }
                if (source_version == "") { source_version = version }
                print "P\tdpkg\t" name "\t" version "\t" arch "\t\t" source "\t" source_version
            }
            name = version = arch = status = source = source_version = ""
        }
        /^$/ { flush(); next }
        /^Package: / { name = substr($0, 10) }
        /^Status: / { status = substr($0, 9) }
        /^Version: / { version = substr($0, 10) }
        /^Architecture: / { arch = substr($0, 15) }
        /^Source: / {
            source = substr($0, 9)
            if (match(source, / \(.*\)$/)) {
                source_version = substr(source, RSTART + 2, RLENGTH - 3)
                source = substr(source, 1, RSTART - 1)
            }
        }
        END { flush() }' /var/lib/dpkg/status 2>/dev/null && printf 'S\tpackages\n'
}

collect_rpm() {
    have rpm || return 0
    format='%{NAME}\t%{VERSION}-%{RELEASE}\t%{ARCH}\t%{EPOCH}\t%{SOURCERPM}\n'
    if ! listing=$(limited 120 rpm -qa --qf "$format" 2>/dev/null); then
        printf 'X\tpackages\n'
        return 0
    fi
    printf '%s\n' "$listing" | awk -F '\t' '$1 != "" && $1 != "gpg-pubkey" && $2 != "" {
        arch = ($3 == "(none)") ? "" : $3
        epoch = ($4 == "(none)") ? "" : $4
        source = $5; source_name = ""; source_version = ""
        if (source != "(none)" && source != "") {
            sub(/\.(no)?src\.rpm$/, "", source)
            count = split(source, parts, "-")
            if (count >= 3) {
                source_name = parts[1]
                for (i = 2; i <= count - 2; i++) source_name = source_name "-" parts[i]
                source_version = parts[count - 1] "-" parts[count]
            }
        }
        print "P\trpm\t" $1 "\t" $2 "\t" arch "\t" epoch "\t" source_name "\t" source_version
    }'
    printf 'S\tpackages\n'
}

collect_apk() {
    # The apk database is a plain text file readable by everyone; reading it needs no apk binary.
    [ -r /lib/apk/db/installed ] || return 0
    awk '
        function flush() {
            if (name != "" && version != "")
                print "P\tapk\t" name "\t" version "\t" arch "\t\t" origin "\t" version
            name = version = arch = origin = ""
        }
        /^$/ { flush(); next }
        /^P:/ { name = substr($0, 3) }
        /^V:/ { version = substr($0, 3) }
        /^A:/ { arch = substr($0, 3) }
        /^o:/ { origin = substr($0, 3) }
        END { flush() }' /lib/apk/db/installed 2>/dev/null && printf 'S\tpackages\n'
}

# Listening sockets: ss, else netstat, else /proc/net (no process names there).
collect_listening() {
    if have ss; then
        sockets=$(limited 30 ss -lntup 2>/dev/null) || sockets=""
        if [ -n "$sockets" ]; then
            printf '%s\n' "$sockets" | awk '
                $1 == "tcp" || $1 == "udp" {
                    local = $5; process = ""
                    if (match($0, /users:\(\("[^"]*"/))
                        process = substr($0, RSTART + 9, RLENGTH - 10)
                    port = local; sub(/.*:/, "", port)
                    address = substr(local, 1, length(local) - length(port) - 1)
                    gsub(/[][]/, "", address); sub(/%.*/, "", address)
                    if (port ~ /^[0-9]+$/) print "L\t" $1 "\t" port "\t" address "\t" process
                }'
            printf 'S\tlistening\n'
            return 0
        fi
    fi
    if have netstat; then
        sockets=$(limited 30 netstat -lntup 2>/dev/null) || sockets=""
        if [ -n "$sockets" ]; then
            printf '%s\n' "$sockets" | awk '
                $1 ~ /^(tcp|udp)6?$/ {
                    protocol = $1; sub(/6$/, "", protocol)
                    local = $4; process = ""
                    for (i = 6; i <= NF; i++) if ($i ~ /^[0-9]+\//) {
                        process = $i; sub(/^[0-9]+\//, "", process); sub(/:$/, "", process); break
                    }
                    port = local; sub(/.*:/, "", port)
                    address = substr(local, 1, length(local) - length(port) - 1)
                    sub(/%.*/, "", address)
                    if (port ~ /^[0-9]+$/) print "L\t" protocol "\t" port "\t" address "\t" process
                }'
            printf 'S\tlistening\n'
            return 0
        fi
    fi
    # /proc/net/{tcp,udp}[6] hold addresses as hex words in the host byte order.
    little_endian=1
    if have od && [ "$(printf '\001\000' | od -An -tx2 2>/dev/null | tr -d ' ')" = "0100" ]; then
        little_endian=0
    fi
    for table in tcp tcp6 udp udp6; do
        [ -r "/proc/net/$table" ] || continue
        awk -v table="$table" -v little_endian="$little_endian" '
            function hex(text,    i, value) {
                value = 0
                for (i = 1; i <= length(text); i++)
                    value = value * 16 + index("0123456789abcdef", tolower(substr(text, i, 1))) - 1
                return value
            }
            function word_bytes(word,    i, out) {   # 8 hex digits -> 4 bytes in network order
                if (!little_endian) return word
                out = ""
                for (i = 7; i >= 1; i -= 2) out = out substr(word, i, 2)
                return out
            }
            NR > 1 {
                split($2, local, ":"); state = $4
                if (table ~ /^tcp/ && state != "0A") next    # TCP_LISTEN
                if (table ~ /^udp/ && state != "07") next    # unconnected UDP socket
                port = hex(local[2])
                if (length(local[1]) == 8) {
                    bytes = word_bytes(local[1])
                    address = hex(substr(bytes, 1, 2)) "." hex(substr(bytes, 3, 2)) "." \
                        hex(substr(bytes, 5, 2)) "." hex(substr(bytes, 7, 2))
                } else {
                    bytes = ""
                    for (w = 0; w < 4; w++) bytes = bytes word_bytes(substr(local[1], w * 8 + 1, 8))
                    address = ""
                    for (g = 0; g < 8; g++) {
                        group = tolower(substr(bytes, g * 4 + 1, 4)); sub(/^0+/, "", group)
                        address = address (g ? ":" : "") (group == "" ? "0" : group)
                    }
                }
                protocol = table; sub(/6$/, "", protocol)
                print "L\t" protocol "\t" port "\t" address "\t"
            }' "/proc/net/$table" 2>/dev/null && printf 'S\tlistening\n'
    done
}

# Renders the record lines as JSON: strings escaped (quote, backslash, control characters),
# bytes that are not UTF-8 replaced by U+FFFD so the document always decodes.
render() {
    awk -F '\t' \
        -v schema_id="$SCHEMA_ID" -v schema_version="$SCHEMA_VERSION" \
        -v collector_name="$COLLECTOR_NAME" -v collector_version="$COLLECTOR_VERSION" '
        BEGIN {
            for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i
            high = "[" sprintf("%c", 128) "-" sprintf("%c", 255) "]"
            control = "[" sprintf("%c", 1) "-" sprintf("%c", 31) "]"
            replacement = "\357\277\275"
        }
        function utf8(text,    out, i, n, b, need, j, low, top, ok, next_byte) {
            if (text !~ high) return text
            out = ""; n = length(text); i = 1
            while (i <= n) {
                b = ord[substr(text, i, 1)]
                if (b < 128) { out = out substr(text, i, 1); i++; continue }
                low = 128; top = 191
                if (b >= 194 && b <= 223) need = 1
                else if (b >= 224 && b <= 239) {
                    need = 2
                    if (b == 224) low = 160
                    if (b == 237) top = 159
                } else if (b >= 240 && b <= 244) {
                    need = 3
                    if (b == 240) low = 144
                    if (b == 244) top = 143
                } else { out = out replacement; i++; continue }
                ok = (i + need <= n)
                for (j = 1; ok && j <= need; j++) {
                    next_byte = ord[substr(text, i + j, 1)]
                    if (j == 1 && (next_byte < low || next_byte > top)) ok = 0
                    if (next_byte < 128 || next_byte > 191) ok = 0
                }
                if (ok) { out = out substr(text, i, need + 1); i += need + 1 }
                else { out = out replacement; i++ }
            }
            return out
        }
        function quote(text,    out, i, n, c) {
            text = utf8(text)
            if (index(text, "\\") == 0 && index(text, "\"") == 0 && text !~ control)
                return "\"" text "\""
            out = ""; n = length(text)
            for (i = 1; i <= n; i++) {
                c = substr(text, i, 1)
                if (c == "\\") out = out "\\\\"
                else if (c == "\"") out = out "\\\""
                else if (ord[c] < 32) out = out sprintf("\\u%04x", ord[c])
                else out = out c
            }
            return "\"" out "\""
        }
        function member(key, value) { return quote(key) ": " quote(value) }
        function optional(key, value) { return value == "" ? "" : ", " member(key, value) }
        $1 == "F" { top[$2] = $3; next }
        $1 == "O" { os[$2] = $3; next }
        $1 == "K" { kernel[$2] = $3; next }
        $1 == "S" { readable[$2] = 1; next }
        $1 == "X" { if (!($2 in failed)) { failed[$2] = 1; failures[++failure_count] = $2 }; next }
        $1 == "I" {
            if (!($2 in seen_address)) { seen_address[$2] = 1; addresses[++address_count] = $2 }
            next
        }
        $1 == "P" {
            packages[++package_count] = "{" member("name", $3) ", " member("version", $4) \
                optional("arch", $5) ", " member("manager", $2) optional("epoch", $6) \
                optional("source_name", $7) optional("source_version", $8) "}"
            next
        }
        $1 == "L" && $3 ~ /^[0-9]+$/ && $3 + 0 <= 65535 {
            listening[++listening_count] = "{" member("protocol", $2) ", \"port\": " ($3 + 0) \
                optional("address", $4) optional("process", $5) "}"
            next
        }
        function list(name, items, count,    text, i) {
            text = "  " quote(name) ": ["
            for (i = 1; i <= count; i++) text = text (i > 1 ? "," : "") "\n    " items[i]
            return text (count ? "\n  " : "") "]"
        }
        END {
            document[++n] = "  " member("schema", schema_id)
            document[++n] = "  " member("schema_version", schema_version)
            document[++n] = "  " member("collected_at", top["collected_at"])
            document[++n] = "  \"collector\": {" member("name", collector_name) ", " \
                member("version", collector_version) "}"
            document[++n] = "  " member("hostname", top["hostname"])
            document[++n] = "  " member("fqdn", ("fqdn" in top) ? top["fqdn"] : "")
            for (i = 1; i <= address_count; i++) quoted_addresses[i] = quote(addresses[i])
            document[++n] = "  \"ip_addresses\": [" join(quoted_addresses, address_count) "]"
            line = "  \"os\": {" member("family", "linux") ", " \
                member("name", ("name" in os) ? os["name"] : "Linux")
            count = split("id id_like version_id version version_codename pretty_name cpe_name",
                os_keys, " ")
            for (i = 1; i <= count; i++)
                if (os_keys[i] in os) line = line ", " member(os_keys[i], os[os_keys[i]])
            document[++n] = line "}"
            document[++n] = "  \"kernel\": {" member("release", kernel["release"]) ", " \
                member("machine", kernel["machine"]) "}"
            if ("packages" in readable) document[++n] = list("packages", packages, package_count)
            if ("listening" in readable)
                document[++n] = list("listening", listening, listening_count)
            for (i = 1; i <= failure_count; i++) quoted_failures[i] = quote(failures[i])
            if (failure_count)
                document[++n] = "  \"incomplete\": [" join(quoted_failures, failure_count) "]"
            print "{"
            for (i = 1; i <= n; i++) print document[i] (i < n ? "," : "")
            print "}"
        }
        function join(items, count,    text, i) {
            text = ""
            for (i = 1; i <= count; i++) text = text (i > 1 ? ", " : "") items[i]
            return text
        }'
}

{
    collect_identity
    collect_addresses
    collect_os
    collect_dpkg
    collect_rpm
    collect_apk
    collect_listening
} | render
