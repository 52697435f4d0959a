#compdef sriov-audit

__sriov-audit_complete() {
    local -ar non_empty_completions=("${@:#(|:*)}")
    local -ar empty_completions=("${(M)@:#(|:*)}")
    _describe -V '' non_empty_completions -- empty_completions -P $'\'\''
}

__sriov-audit_custom_complete() {
    local -a completions
    completions=("${(@f)"$("${command_name}" "${@}" "${command_line[@]}")"}")
    if [[ "${#completions[@]}" -gt 1 ]]; then
        __sriov-audit_complete "${completions[@]:0:-1}"
    fi
}

__sriov-audit_cursor_index_in_current_word() {
    if [[ -z "${QIPREFIX}${IPREFIX}${PREFIX}" ]]; then
        printf 0
    else
        printf %s "${#${(z)LBUFFER}[-1]}"
    fi
}

_sriov-audit() {
    emulate -RL zsh -G
    setopt extendedglob nullglob numericglobsort
    unsetopt aliases banghist

    local -xr SAP_SHELL=zsh
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(builtin emulate zsh -c 'printf %s "${ZSH_VERSION}"')"
    local -r SAP_SHELL_VERSION

    local context state state_descr line
    local -A opt_args

    local -r command_name="${words[1]}"
    local -ar command_line=("${words[@]}")
    local -ir current_word_index="$((CURRENT - 1))"

    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'collect:Collect this host'\''s SR-IOV inventory (or a capture folder'\''s) and print it.'
            'capture:Write this host'\''s SR-IOV sources into a capture folder, to audit elsewhere.'
            'import:Load snapshot JSON made with `collect --format json` on other hosts into the database.'
            'import-esxi:Read a VMware ESXi host'\''s saved esxcli listings into a snapshot (print, store, push).'
            'hosts:List the hosts in the database: labels, last seen, PF/VF counts.'
            'history:List the distinct snapshots of a host over time.'
            'show:Print a stored snapshot of a host, in the same forms as `collect`.'
            'diff:Show what changed on a host between two snapshots (devices matched by PCI address).'
            'prune:Remove old snapshots, keeping the latest of every host whatever its age.'
            'migrate:Copy an inventory into another database (SQLite to PostgreSQL or back), keeping all history.'
            'audit:Audit hosts against a rules file: this host (collected and stored), captures, snapshot files or the fleet database.'
            'check-upgrade:List the hosts a planned firmware/driver/kernel roll-out would make non-compliant. Nothing on any host changes.'
            'rules:Work with rules files.'
            'push:Re-send payloads that earlier runs could not deliver (the spool), or push saved snapshots.'
            'serve:Receive every host'\''s snapshots and reports, audit the fleet on a schedule, serve the results.'
            'token:Issue, list and revoke the tokens the fleet server accepts.'
            'keygen:Write an Ed25519 key pair for signing audit evidence: PREFIX.key (private, mode 0600) and PREFIX.pub.'
            'verify:Check signed audit evidence: every manifest'\''s and report file'\''s signature and SHA-256, naming any file that was changed, removed or added.'
            'help:Show subcommand help information.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        collect|capture|import|import-esxi|hosts|history|show|diff|prune|migrate|audit|check-upgrade|rules|push|serve|token|keygen|verify|help)
            "_sriov-audit_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_sriov-audit_collect() {
    local -i ret=1
    local -ar ___format=('table' 'json')
    local -ar arg_specs=(
        '--root[Read a capture folder instead of the live host.]:DIR:'
        '--host[Use this hostname instead of the one found on the host or in the capture.]:host:'
        '--pci-ids[A pci.ids file other than libpci'\''s default.]:FILE:'
        '--format[Output format\: table (default) or json (the snapshot).]:format:{__sriov-audit_complete "${___format[@]}"}'
        '(--output -o)'{--output,-o}'[Write the output to FILE instead of standard output.]:FILE:'
        '--store[Store the snapshot in the inventory database (implied by --db).]'
        '--db[The inventory database\: an SQLite file (default\: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres\://USER@HOST\:PORT/DATABASE?sslmode=....]:PATH|URL:'
        '--db-password-file[A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.]:FILE:'
        '*--label[Attach a label to the host (repeatable)\: site, rack, l2-domain, tenant, role...]:KEY=VALUE:'
        '*--push[POST the payload to this HTTP(S) URL (repeatable). Undelivered payloads are spooled and re-sent.]:URL:'
        '--token-file[Read the bearer token from FILE (re-read by every later re-send).]:FILE:'
        '--token-env[Read the bearer token from this environment variable when no --token-file is given.]:NAME:'
        '--cacert[CA bundle (PEM) to verify the receiver with; default\: the system'\''s. Verification is always on.]:FILE:'
        '--cert[Client certificate (PEM) for mutual TLS.]:FILE:'
        '--key[Client private key (PEM) for mutual TLS.]:FILE:'
        '--connect-timeout[Seconds to wait for a connection.]:SECONDS:'
        '--timeout[Seconds one attempt may take in all.]:SECONDS:'
        '--retries[Retries after a connection error, 408, 425, 429 or 5xx (exponential backoff with jitter).]:retries:'
        '--retry-wait[The first backoff in seconds (doubled per retry).]:SECONDS:'
        '--max-retry-wait[The longest single wait, Retry-After included; longer asks spool instead.]:SECONDS:'
        '--spool[The spool folder for undelivered payloads (default\: `spool` beside the database).]:DIR:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_sriov-audit_capture() {
    local -i ret=1
    local -ar ___progress=('auto' 'always' 'never')
    local -ar arg_specs=(
        ':OUTDIR:'
        '--host[Record this hostname instead of the kernel'\''s.]:host:'
        '--progress[A progress line on standard error for long work (done/total, rate, time left)\: auto (when standard error is a terminal), always or never.]:WHEN:{__sriov-audit_complete "${___progress[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_sriov-audit_import() {
    local -i ret=1
    local -ar ___format=('table' 'json')
    local -ar ___progress=('auto' 'always' 'never')
    local -ar arg_specs=(
        ':SOURCE:'
        '--db[The inventory database\: an SQLite file (default\: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres\://USER@HOST\:PORT/DATABASE?sslmode=....]:PATH|URL:'
        '--db-password-file[A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.]:FILE:'
        '*--label[Attach a label to the host (repeatable)\: site, rack, l2-domain, tenant, role...]:KEY=VALUE:'
        '--format[Output format\: table or json.]:format:{__sriov-audit_complete "${___format[@]}"}'
        '--progress[A progress line on standard error for long work (done/total, rate, time left)\: auto (when standard error is a terminal), always or never.]:WHEN:{__sriov-audit_complete "${___progress[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_sriov-audit_import-esxi() {
    local -i ret=1
    local -ar ___format=('table' 'json')
    local -ar arg_specs=(
        ':DIR:'
        '--hostname[The host'\''s name (required when DIR has no hostname file).]:hostname:'
        '--format[Output format\: table (default) or json (the snapshot).]:format:{__sriov-audit_complete "${___format[@]}"}'
        '(--output -o)'{--output,-o}'[Write the output to FILE instead of standard output.]:FILE:'
        '--store[Store the snapshot in the inventory database (implied by --db).]'
        '--db[The inventory database\: an SQLite file (default\: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres\://USER@HOST\:PORT/DATABASE?sslmode=....]:PATH|URL:'
        '--db-password-file[A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.]:FILE:'
        '*--label[Attach a label to the host (repeatable)\: site, rack, l2-domain, tenant, role...]:KEY=VALUE:'
        '*--push[POST the payload to this HTTP(S) URL (repeatable). Undelivered payloads are spooled and re-sent.]:URL:'
        '--token-file[Read the bearer token from FILE (re-read by every later re-send).]:FILE:'
        '--token-env[Read the bearer token from this environment variable when no --token-file is given.]:NAME:'
        '--cacert[CA bundle (PEM) to verify the receiver with; default\: the system'\''s. Verification is always on.]:FILE:'
        '--cert[Client certificate (PEM) for mutual TLS.]:FILE:'
        '--key[Client private key (PEM) for mutual TLS.]:FILE:'
        '--connect-timeout[Seconds to wait for a connection.]:SECONDS:'
        '--timeout[Seconds one attempt may take in all.]:SECONDS:'
        '--retries[Retries after a connection error, 408, 425, 429 or 5xx (exponential backoff with jitter).]:retries:'
        '--retry-wait[The first backoff in seconds (doubled per retry).]:SECONDS:'
        '--max-retry-wait[The longest single wait, Retry-After included; longer asks spool instead.]:SECONDS:'
        '--spool[The spool folder for undelivered payloads (default\: `spool` beside the database).]:DIR:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_sriov-audit_hosts() {
    local -i ret=1
    local -ar ___format=('table' 'json')
    local -ar arg_specs=(
        '--db[The inventory database\: an SQLite file (default\: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres\://USER@HOST\:PORT/DATABASE?sslmode=....]:PATH|URL:'
        '--db-password-file[A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.]:FILE:'
        '*--select[Only hosts with this label (repeatable).]:KEY=VALUE:'
        '--format[Output format\: table or json.]:format:{__sriov-audit_complete "${___format[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_sriov-audit_history() {
    local -i ret=1
    local -ar ___format=('table' 'json')
    local -ar arg_specs=(
        ':host:'
        '--db[The inventory database\: an SQLite file (default\: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres\://USER@HOST\:PORT/DATABASE?sslmode=....]:PATH|URL:'
        '--db-password-file[A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.]:FILE:'
        '--format[Output format\: table or json.]:format:{__sriov-audit_complete "${___format[@]}"}'
        '--changes[Under the table, what changed at each snapshot since the one before, as `diff` says it (a VF now used by a guest, firmware, VLANs, ...).]'
        '--compliance[Show the host'\''s compliance per rule instead (first failed, fixed, waived), each stored content audited against --rules and --waivers.]'
        '--rules[With --compliance\: the rules file (default\: the built-in rules).]:FILE:'
        '--waivers[With --compliance\: a waivers file, each waiver judged on the day of each content.]:FILE:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_sriov-audit_show() {
    local -i ret=1
    local -ar ___format=('table' 'json')
    local -ar arg_specs=(
        ':host:'
        '--db[The inventory database\: an SQLite file (default\: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres\://USER@HOST\:PORT/DATABASE?sslmode=....]:PATH|URL:'
        '--db-password-file[A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.]:FILE:'
        '--at[The snapshot as collected at or before this time (default\: the latest).]:TIME:'
        '--format[Output format\: table or json.]:format:{__sriov-audit_complete "${___format[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_sriov-audit_diff() {
    local -i ret=1
    local -ar ___format=('table' 'json')
    local -ar arg_specs=(
        ':host:'
        '--db[The inventory database\: an SQLite file (default\: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres\://USER@HOST\:PORT/DATABASE?sslmode=....]:PATH|URL:'
        '--db-password-file[A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.]:FILE:'
        '--from[Compare from the snapshot at or before this time.]:TIME:'
        '--to[Compare to the snapshot at or before this time.]:TIME:'
        '--format[Output format\: table or json.]:format:{__sriov-audit_complete "${___format[@]}"}'
        '--compliance[Show the host'\''s compliance per rule instead (first failed, fixed, waived), each stored content audited against --rules and --waivers.]'
        '--rules[With --compliance\: the rules file (default\: the built-in rules).]:FILE:'
        '--waivers[With --compliance\: a waivers file, each waiver judged on the day of each content.]:FILE:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_sriov-audit_prune() {
    local -i ret=1
    local -ar ___progress=('auto' 'always' 'never')
    local -ar arg_specs=(
        '--db[The inventory database\: an SQLite file (default\: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres\://USER@HOST\:PORT/DATABASE?sslmode=....]:PATH|URL:'
        '--db-password-file[A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.]:FILE:'
        '--keep-days[Keep what was collected in the last N days.]:keep-days:'
        '--progress[A progress line on standard error for long work (done/total, rate, time left)\: auto (when standard error is a terminal), always or never.]:WHEN:{__sriov-audit_complete "${___progress[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_sriov-audit_migrate() {
    local -i ret=1
    local -ar ___progress=('auto' 'always' 'never')
    local -ar arg_specs=(
        '--from[The inventory to copy\: an SQLite file or a postgres\:// URL.]:PATH|URL:'
        '--to[The database to copy into\: an SQLite file or a postgres\:// URL.]:PATH|URL:'
        '--from-password-file[A file holding the source'\''s PostgreSQL password.]:FILE:'
        '--to-password-file[A file holding the target'\''s PostgreSQL password.]:FILE:'
        '--progress[A progress line on standard error for long work (done/total, rate, time left)\: auto (when standard error is a terminal), always or never.]:WHEN:{__sriov-audit_complete "${___progress[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_sriov-audit_audit() {
    local -i ret=1
    local -ar ___fail_on=('info' 'low' 'medium' 'high' 'critical')
    local -ar ___color=('auto' 'always' 'never')
    local -ar ___progress=('auto' 'always' 'never')
    local -ar arg_specs=(
        '--rules[The rules file (default\: the built-in rules/default.yaml).]:FILE:'
        '*--root[Audit a capture folder (repeatable).]:DIR:'
        '*--snapshot[Audit snapshot JSON made by `collect --format json` (a file, or JSON lines; repeatable).]:FILE:'
        '--fleet[Audit the latest snapshot of every host in the database (implied by --db or --select without --root/--snapshot).]'
        '*--select[With --fleet\: only hosts with this label (repeatable).]:KEY=VALUE:'
        '--db[The inventory database\: an SQLite file (default\: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres\://USER@HOST\:PORT/DATABASE?sslmode=....]:PATH|URL:'
        '--db-password-file[A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.]:FILE:'
        '*--label[Attach a label to the host (repeatable)\: site, rack, l2-domain, tenant, role...]:KEY=VALUE:'
        '--no-store[When auditing this host, do not store the snapshot in the database.]'
        '--fail-on[Lowest severity that makes the exit status 1 (info, low, medium, high, critical).]:fail-on:{__sriov-audit_complete "${___fail_on[@]}"}'
        '--format[Formats, comma-separated\: table, json, junit, sarif, prom, html, md.]:LIST:'
        '--out[Folder for the report files (default\: reports/); `-` prints the one format to standard output.]:DIR:'
        '--waivers[Accepted risks (YAML)\: matching violations are reported as waived and do not fail the run.]:FILE:'
        '--max-waiver-days[A waiver may expire at most this many days ahead.]:DAYS:'
        '--as-of[Judge waiver expiry on this UTC day instead of today (which waivers will have lapsed by a roll-out date).]:YYYY-MM-DD:'
        '--sign[Sign the report files and write an evidence manifest with this Ed25519 private key (PEM, from `keygen`).]:KEY:'
        '--keep-runs[Keep the report files of only the newest N runs of this host (or fleet) in --out; latest.* always stays.]:N:'
        '*--push[POST the payload to this HTTP(S) URL (repeatable). Undelivered payloads are spooled and re-sent.]:URL:'
        '--token-file[Read the bearer token from FILE (re-read by every later re-send).]:FILE:'
        '--token-env[Read the bearer token from this environment variable when no --token-file is given.]:NAME:'
        '--cacert[CA bundle (PEM) to verify the receiver with; default\: the system'\''s. Verification is always on.]:FILE:'
        '--cert[Client certificate (PEM) for mutual TLS.]:FILE:'
        '--key[Client private key (PEM) for mutual TLS.]:FILE:'
        '--connect-timeout[Seconds to wait for a connection.]:SECONDS:'
        '--timeout[Seconds one attempt may take in all.]:SECONDS:'
        '--retries[Retries after a connection error, 408, 425, 429 or 5xx (exponential backoff with jitter).]:retries:'
        '--retry-wait[The first backoff in seconds (doubled per retry).]:SECONDS:'
        '--max-retry-wait[The longest single wait, Retry-After included; longer asks spool instead.]:SECONDS:'
        '--spool[The spool folder for undelivered payloads (default\: `spool` beside the database).]:DIR:'
        '--color[Colour PASS/WARN/FAIL and severities\: auto (when standard output is a terminal and NO_COLOR is not set), always or never.]:WHEN:{__sriov-audit_complete "${___color[@]}"}'
        '--progress[A progress line on standard error for long work (done/total, rate, time left)\: auto (when standard error is a terminal), always or never.]:WHEN:{__sriov-audit_complete "${___progress[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_sriov-audit_check-upgrade() {
    local -i ret=1
    local -ar ___fail_on=('info' 'low' 'medium' 'high' 'critical')
    local -ar ___format=('table' 'json')
    local -ar ___color=('auto' 'always' 'never')
    local -ar arg_specs=(
        '--model[The NIC model\: VENDOR\:DEVICE (15b3\:101d), with \:SUBVENDOR\:SUBDEVICE, or a glob on its name.]:SELECTOR:'
        '--firmware[The planned firmware version, as ethtool -i will report it.]:firmware:'
        '--driver[The planned driver version.]:driver:'
        '--kernel[The planned kernel release (in-tree drivers report it as their version).]:kernel:'
        '--rules[The rules file (default\: the built-in rules).]:FILE:'
        '*--root[Audit a capture folder (repeatable).]:DIR:'
        '*--snapshot[Audit snapshot JSON made by `collect --format json` (a file, or JSON lines; repeatable).]:FILE:'
        '--fleet[Audit the latest snapshot of every host in the database (implied by --db or --select without --root/--snapshot).]'
        '*--select[With --fleet\: only hosts with this label (repeatable).]:KEY=VALUE:'
        '--db[The inventory database\: an SQLite file (default\: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres\://USER@HOST\:PORT/DATABASE?sslmode=....]:PATH|URL:'
        '--db-password-file[A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.]:FILE:'
        '*--label[Attach a label to the host (repeatable)\: site, rack, l2-domain, tenant, role...]:KEY=VALUE:'
        '--fail-on[Lowest severity that counts as non-compliant.]:fail-on:{__sriov-audit_complete "${___fail_on[@]}"}'
        '--format[Output format\: table or json.]:format:{__sriov-audit_complete "${___format[@]}"}'
        '--color[Colour PASS/WARN/FAIL and severities\: auto (when standard output is a terminal and NO_COLOR is not set), always or never.]:WHEN:{__sriov-audit_complete "${___color[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_sriov-audit_rules() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'check:Validate a rules file; every mistake is printed as FILE:LINE:COL: message.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        check)
            "_sriov-audit_rules_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_sriov-audit_rules_check() {
    local -i ret=1
    local -ar arg_specs=(
        ':file:'
        '--waivers[Also validate a waivers file against these rules.]:FILE:'
        '--max-waiver-days[A waiver may expire at most this many days ahead.]:DAYS:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_sriov-audit_push() {
    local -i ret=1
    local -ar arg_specs=(
        '--flush[Re-send everything spooled.]'
        '*--snapshot[Push the snapshots in FILE (JSON or JSON lines) to every --push URL (repeatable).]:FILE:'
        '*--push[POST the payload to this HTTP(S) URL (repeatable). Undelivered payloads are spooled and re-sent.]:URL:'
        '--token-file[Read the bearer token from FILE (re-read by every later re-send).]:FILE:'
        '--token-env[Read the bearer token from this environment variable when no --token-file is given.]:NAME:'
        '--cacert[CA bundle (PEM) to verify the receiver with; default\: the system'\''s. Verification is always on.]:FILE:'
        '--cert[Client certificate (PEM) for mutual TLS.]:FILE:'
        '--key[Client private key (PEM) for mutual TLS.]:FILE:'
        '--connect-timeout[Seconds to wait for a connection.]:SECONDS:'
        '--timeout[Seconds one attempt may take in all.]:SECONDS:'
        '--retries[Retries after a connection error, 408, 425, 429 or 5xx (exponential backoff with jitter).]:retries:'
        '--retry-wait[The first backoff in seconds (doubled per retry).]:SECONDS:'
        '--max-retry-wait[The longest single wait, Retry-After included; longer asks spool instead.]:SECONDS:'
        '--spool[The spool folder for undelivered payloads (default\: `spool` beside the database).]:DIR:'
        '--db[The inventory database\: an SQLite file (default\: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres\://USER@HOST\:PORT/DATABASE?sslmode=....]:PATH|URL:'
        '--db-password-file[A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.]:FILE:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_sriov-audit_serve() {
    local -i ret=1
    local -ar ___fail_on=('info' 'low' 'medium' 'high' 'critical')
    local -ar arg_specs=(
        '--db[The inventory database\: an SQLite file (default\: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres\://USER@HOST\:PORT/DATABASE?sslmode=....]:PATH|URL:'
        '--db-password-file[A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.]:FILE:'
        '--listen[Address and port to listen on; port 0 picks a free one (see --port-file).]:HOST\:PORT:'
        '--tls-cert[Server certificate chain (PEM).]:FILE:'
        '--tls-key[Server private key (PEM).]:FILE:'
        '--client-ca[Require client certificates signed by this CA (mutual TLS).]:FILE:'
        '--insecure-http[Allow plain HTTP on a non-loopback address.]'
        '--max-body[Largest request body, also once inflated (bytes, or with K/M/G).]:SIZE:'
        '--body-timeout[Time a request body may take to arrive.]:DURATION:'
        '--idle-timeout[Close keep-alive connections idle this long.]:DURATION:'
        '--max-connections[Most connections open at once.]:max-connections:'
        '--rate-limit[Requests per second per token, sustained.]:N:'
        '--rate-burst[Requests per token at once.]:N:'
        '--stale-after[A host not seen for this long counts as stale in /metrics.]:DURATION:'
        '--keep-host-reports[Reports kept per host (audit --push from the hosts).]:keep-host-reports:'
        '--read-without-token[Serve the read API without a reader token (behind an authenticating proxy only).]'
        '--enroll-secret-file[Let new hosts obtain a token with this shared secret (POST /v1/enroll).]:FILE:'
        '*--enroll-label[Label given to enrolled hosts (repeatable).]:KEY=VALUE:'
        '--port-file[Write the bound port here once listening.]:FILE:'
        '--log-level[trace, debug, info, notice, warning, error or critical.]:log-level:'
        '--audit-every[Audit the fleet this often (e.g. 15m, 1h); none when not given.]:DURATION:'
        '--rules[Rules for the scheduled audit (default\: the built-in rules).]:FILE:'
        '--fail-on[Lowest severity that makes a scheduled audit non-compliant.]:fail-on:{__sriov-audit_complete "${___fail_on[@]}"}'
        '--waivers[Accepted risks for the scheduled audit (YAML), read again at every run.]:FILE:'
        '--max-waiver-days[A waiver may expire at most this many days ahead.]:DAYS:'
        '--sign[Sign every scheduled audit'\''s report files and write its evidence manifest with this Ed25519 private key (PEM, from `keygen`).]:KEY:'
        '--out[Report folder of the scheduled audit (default\: reports/ beside the database).]:DIR:'
        '--format[Formats the scheduled audit writes.]:LIST:'
        '--keep-runs[Report files of the newest N scheduled audits are kept.]:keep-runs:'
        '*--push[POST the payload to this HTTP(S) URL (repeatable). Undelivered payloads are spooled and re-sent.]:URL:'
        '--token-file[Read the bearer token from FILE (re-read by every later re-send).]:FILE:'
        '--token-env[Read the bearer token from this environment variable when no --token-file is given.]:NAME:'
        '--cacert[CA bundle (PEM) to verify the receiver with; default\: the system'\''s. Verification is always on.]:FILE:'
        '--cert[Client certificate (PEM) for mutual TLS.]:FILE:'
        '--key[Client private key (PEM) for mutual TLS.]:FILE:'
        '--connect-timeout[Seconds to wait for a connection.]:SECONDS:'
        '--timeout[Seconds one attempt may take in all.]:SECONDS:'
        '--retries[Retries after a connection error, 408, 425, 429 or 5xx (exponential backoff with jitter).]:retries:'
        '--retry-wait[The first backoff in seconds (doubled per retry).]:SECONDS:'
        '--max-retry-wait[The longest single wait, Retry-After included; longer asks spool instead.]:SECONDS:'
        '--spool[The spool folder for undelivered payloads (default\: `spool` beside the database).]:DIR:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_sriov-audit_token() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'issue:Print a new token for HOST once; only its SHA-256 is stored.'
            'list:List tokens: host, role, labels, created, last used; never the token itself.'
            'revoke:Revoke every live token of HOST; the server refuses them at once.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        issue|list|revoke)
            "_sriov-audit_token_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_sriov-audit_token_issue() {
    local -i ret=1
    local -ar arg_specs=(
        ':host:'
        '*--label[Attach a label to the host (repeatable)\: site, rack, l2-domain, tenant, role...]:KEY=VALUE:'
        '--reader[A token for the read API, not for pushing.]'
        '--db[The inventory database\: an SQLite file (default\: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres\://USER@HOST\:PORT/DATABASE?sslmode=....]:PATH|URL:'
        '--db-password-file[A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.]:FILE:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_sriov-audit_token_list() {
    local -i ret=1
    local -ar ___format=('table' 'json')
    local -ar arg_specs=(
        '--db[The inventory database\: an SQLite file (default\: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres\://USER@HOST\:PORT/DATABASE?sslmode=....]:PATH|URL:'
        '--db-password-file[A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.]:FILE:'
        '--format[Output format\: table or json.]:format:{__sriov-audit_complete "${___format[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_sriov-audit_token_revoke() {
    local -i ret=1
    local -ar arg_specs=(
        ':host:'
        '--db[The inventory database\: an SQLite file (default\: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres\://USER@HOST\:PORT/DATABASE?sslmode=....]:PATH|URL:'
        '--db-password-file[A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.]:FILE:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_sriov-audit_keygen() {
    local -i ret=1
    local -ar arg_specs=(
        ':PREFIX:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_sriov-audit_verify() {
    local -i ret=1
    local -ar ___format=('table' 'json')
    local -ar arg_specs=(
        ':REPORT_DIR:'
        '--key[The public key (PEM) the evidence must be signed with.]:PUB:'
        '--format[Output format\: table or json.]:format:{__sriov-audit_complete "${___format[@]}"}'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_sriov-audit_help() {
    local -i ret=1
    local -ar arg_specs=(
        '*:subcommands:'
        '--version[Show the version.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

if [[ "${funcstack[1]}" = _sriov-audit ]]; then
    _sriov-audit "${@}"
else
    compdef _sriov-audit sriov-audit
fi
