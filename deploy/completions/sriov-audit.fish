function __sriov-audit_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __sriov-audit_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __sriov-audit_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __sriov-audit_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __sriov-audit_parse_tokens -S
    set -l unparsed_tokens (__sriov-audit_tokens -pc)
    switch $unparsed_tokens[1]
    case 'sriov-audit'
        __sriov-audit_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'collect'
            __sriov-audit_parse_subcommand 0 'root=' 'host=' 'pci-ids=' 'format=' 'o/output=' 'store' 'db=' 'db-password-file=' 'label=+' 'push=+' 'token-file=' 'token-env=' 'cacert=' 'cert=' 'key=' 'connect-timeout=' 'timeout=' 'retries=' 'retry-wait=' 'max-retry-wait=' 'spool=' 'version' 'h/help'
        case 'capture'
            __sriov-audit_parse_subcommand 1 'host=' 'progress=' 'version' 'h/help'
        case 'import'
            __sriov-audit_parse_subcommand 1 'db=' 'db-password-file=' 'label=+' 'format=' 'progress=' 'version' 'h/help'
        case 'import-esxi'
            __sriov-audit_parse_subcommand 1 'hostname=' 'format=' 'o/output=' 'store' 'db=' 'db-password-file=' 'label=+' 'push=+' 'token-file=' 'token-env=' 'cacert=' 'cert=' 'key=' 'connect-timeout=' 'timeout=' 'retries=' 'retry-wait=' 'max-retry-wait=' 'spool=' 'version' 'h/help'
        case 'hosts'
            __sriov-audit_parse_subcommand 0 'db=' 'db-password-file=' 'select=+' 'format=' 'version' 'h/help'
        case 'history'
            __sriov-audit_parse_subcommand 1 'db=' 'db-password-file=' 'format=' 'changes' 'compliance' 'rules=' 'waivers=' 'version' 'h/help'
        case 'show'
            __sriov-audit_parse_subcommand 1 'db=' 'db-password-file=' 'at=' 'format=' 'version' 'h/help'
        case 'diff'
            __sriov-audit_parse_subcommand 1 'db=' 'db-password-file=' 'from=' 'to=' 'format=' 'compliance' 'rules=' 'waivers=' 'version' 'h/help'
        case 'prune'
            __sriov-audit_parse_subcommand 0 'db=' 'db-password-file=' 'keep-days=' 'progress=' 'version' 'h/help'
        case 'migrate'
            __sriov-audit_parse_subcommand 0 'from=' 'to=' 'from-password-file=' 'to-password-file=' 'progress=' 'version' 'h/help'
        case 'audit'
            __sriov-audit_parse_subcommand 0 'rules=' 'root=+' 'snapshot=+' 'fleet' 'select=+' 'db=' 'db-password-file=' 'label=+' 'no-store' 'fail-on=' 'format=' 'out=' 'waivers=' 'max-waiver-days=' 'as-of=' 'sign=' 'keep-runs=' 'push=+' 'token-file=' 'token-env=' 'cacert=' 'cert=' 'key=' 'connect-timeout=' 'timeout=' 'retries=' 'retry-wait=' 'max-retry-wait=' 'spool=' 'color=' 'progress=' 'version' 'h/help'
        case 'check-upgrade'
            __sriov-audit_parse_subcommand 0 'model=' 'firmware=' 'driver=' 'kernel=' 'rules=' 'root=+' 'snapshot=+' 'fleet' 'select=+' 'db=' 'db-password-file=' 'label=+' 'fail-on=' 'format=' 'color=' 'version' 'h/help'
        case 'rules'
            __sriov-audit_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'check'
                __sriov-audit_parse_subcommand 1 'waivers=' 'max-waiver-days=' 'version' 'h/help'
            end
        case 'push'
            __sriov-audit_parse_subcommand 0 'flush' 'snapshot=+' 'push=+' 'token-file=' 'token-env=' 'cacert=' 'cert=' 'key=' 'connect-timeout=' 'timeout=' 'retries=' 'retry-wait=' 'max-retry-wait=' 'spool=' 'db=' 'db-password-file=' 'version' 'h/help'
        case 'serve'
            __sriov-audit_parse_subcommand 0 'db=' 'db-password-file=' 'listen=' 'tls-cert=' 'tls-key=' 'client-ca=' 'insecure-http' 'max-body=' 'body-timeout=' 'idle-timeout=' 'max-connections=' 'rate-limit=' 'rate-burst=' 'stale-after=' 'keep-host-reports=' 'read-without-token' 'enroll-secret-file=' 'enroll-label=+' 'port-file=' 'log-level=' 'audit-every=' 'rules=' 'fail-on=' 'waivers=' 'max-waiver-days=' 'sign=' 'out=' 'format=' 'keep-runs=' 'push=+' 'token-file=' 'token-env=' 'cacert=' 'cert=' 'key=' 'connect-timeout=' 'timeout=' 'retries=' 'retry-wait=' 'max-retry-wait=' 'spool=' 'version' 'h/help'
        case 'token'
            __sriov-audit_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'issue'
                __sriov-audit_parse_subcommand 1 'label=+' 'reader' 'db=' 'db-password-file=' 'version' 'h/help'
            case 'list'
                __sriov-audit_parse_subcommand 0 'db=' 'db-password-file=' 'format=' 'version' 'h/help'
            case 'revoke'
                __sriov-audit_parse_subcommand 1 'db=' 'db-password-file=' 'version' 'h/help'
            end
        case 'keygen'
            __sriov-audit_parse_subcommand 1 'version' 'h/help'
        case 'verify'
            __sriov-audit_parse_subcommand 1 'key=' 'format=' 'version' 'h/help'
        case 'help'
            __sriov-audit_parse_subcommand -r 1 'version'
        end
    end
end

function __sriov-audit_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __sriov-audit_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __sriov-audit_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __sriov-audit_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__sriov-audit_tokens -p)
    if test -z "$(__sriov-audit_tokens -t)"
        set -l index (count (__sriov-audit_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'sriov-audit' -f
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit" -eq 1' -fa 'collect' -d 'Collect this host\'s SR-IOV inventory (or a capture folder\'s) and print it.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit" -eq 1' -fa 'capture' -d 'Write this host\'s SR-IOV sources into a capture folder, to audit elsewhere.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit" -eq 1' -fa 'import' -d 'Load snapshot JSON made with `collect --format json` on other hosts into the database.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit" -eq 1' -fa 'import-esxi' -d 'Read a VMware ESXi host\'s saved esxcli listings into a snapshot (print, store, push).'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit" -eq 1' -fa 'hosts' -d 'List the hosts in the database: labels, last seen, PF/VF counts.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit" -eq 1' -fa 'history' -d 'List the distinct snapshots of a host over time.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit" -eq 1' -fa 'show' -d 'Print a stored snapshot of a host, in the same forms as `collect`.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit" -eq 1' -fa 'diff' -d 'Show what changed on a host between two snapshots (devices matched by PCI address).'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit" -eq 1' -fa 'prune' -d 'Remove old snapshots, keeping the latest of every host whatever its age.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit" -eq 1' -fa 'migrate' -d 'Copy an inventory into another database (SQLite to PostgreSQL or back), keeping all history.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit" -eq 1' -fa 'audit' -d 'Audit hosts against a rules file: this host (collected and stored), captures, snapshot files or the fleet database.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit" -eq 1' -fa 'check-upgrade' -d 'List the hosts a planned firmware/driver/kernel roll-out would make non-compliant. Nothing on any host changes.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit" -eq 1' -fa 'rules' -d 'Work with rules files.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit" -eq 1' -fa 'push' -d 'Re-send payloads that earlier runs could not deliver (the spool), or push saved snapshots.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit" -eq 1' -fa 'serve' -d 'Receive every host\'s snapshots and reports, audit the fleet on a schedule, serve the results.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit" -eq 1' -fa 'token' -d 'Issue, list and revoke the tokens the fleet server accepts.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit" -eq 1' -fa 'keygen' -d 'Write an Ed25519 key pair for signing audit evidence: PREFIX.key (private, mode 0600) and PREFIX.pub.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit" -eq 1' -fa 'verify' -d 'Check signed audit evidence: every manifest\'s and report file\'s signature and SHA-256, naming any file that was changed, removed or added.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" root' -l 'root' -d 'Read a capture folder instead of the live host.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" host' -l 'host' -d 'Use this hostname instead of the one found on the host or in the capture.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" pci-ids' -l 'pci-ids' -d 'A pci.ids file other than libpci\'s default.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" format' -l 'format' -d 'Output format: table (default) or json (the snapshot).' -rfka 'table json'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" o output' -l 'output' -s 'o' -d 'Write the output to FILE instead of standard output.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" store' -l 'store' -d 'Store the snapshot in the inventory database (implied by --db).'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" db' -l 'db' -d 'The inventory database: an SQLite file (default: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres://USER@HOST:PORT/DATABASE?sslmode=....' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" db-password-file' -l 'db-password-file' -d 'A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect"' -l 'label' -d 'Attach a label to the host (repeatable): site, rack, l2-domain, tenant, role...' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect"' -l 'push' -d 'POST the payload to this HTTP(S) URL (repeatable). Undelivered payloads are spooled and re-sent.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" token-file' -l 'token-file' -d 'Read the bearer token from FILE (re-read by every later re-send).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" token-env' -l 'token-env' -d 'Read the bearer token from this environment variable when no --token-file is given.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" cacert' -l 'cacert' -d 'CA bundle (PEM) to verify the receiver with; default: the system\'s. Verification is always on.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" cert' -l 'cert' -d 'Client certificate (PEM) for mutual TLS.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" key' -l 'key' -d 'Client private key (PEM) for mutual TLS.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" connect-timeout' -l 'connect-timeout' -d 'Seconds to wait for a connection.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" timeout' -l 'timeout' -d 'Seconds one attempt may take in all.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" retries' -l 'retries' -d 'Retries after a connection error, 408, 425, 429 or 5xx (exponential backoff with jitter).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" retry-wait' -l 'retry-wait' -d 'The first backoff in seconds (doubled per retry).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" max-retry-wait' -l 'max-retry-wait' -d 'The longest single wait, Retry-After included; longer asks spool instead.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" spool' -l 'spool' -d 'The spool folder for undelivered payloads (default: `spool` beside the database).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit collect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit capture" host' -l 'host' -d 'Record this hostname instead of the kernel\'s.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit capture" progress' -l 'progress' -d 'A progress line on standard error for long work (done/total, rate, time left): auto (when standard error is a terminal), always or never.' -rfka 'auto always never'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit capture" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit capture" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import" db' -l 'db' -d 'The inventory database: an SQLite file (default: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres://USER@HOST:PORT/DATABASE?sslmode=....' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import" db-password-file' -l 'db-password-file' -d 'A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import"' -l 'label' -d 'Attach a label to the host (repeatable): site, rack, l2-domain, tenant, role...' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import" format' -l 'format' -d 'Output format: table or json.' -rfka 'table json'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import" progress' -l 'progress' -d 'A progress line on standard error for long work (done/total, rate, time left): auto (when standard error is a terminal), always or never.' -rfka 'auto always never'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi" hostname' -l 'hostname' -d 'The host\'s name (required when DIR has no hostname file).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi" format' -l 'format' -d 'Output format: table (default) or json (the snapshot).' -rfka 'table json'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi" o output' -l 'output' -s 'o' -d 'Write the output to FILE instead of standard output.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi" store' -l 'store' -d 'Store the snapshot in the inventory database (implied by --db).'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi" db' -l 'db' -d 'The inventory database: an SQLite file (default: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres://USER@HOST:PORT/DATABASE?sslmode=....' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi" db-password-file' -l 'db-password-file' -d 'A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi"' -l 'label' -d 'Attach a label to the host (repeatable): site, rack, l2-domain, tenant, role...' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi"' -l 'push' -d 'POST the payload to this HTTP(S) URL (repeatable). Undelivered payloads are spooled and re-sent.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi" token-file' -l 'token-file' -d 'Read the bearer token from FILE (re-read by every later re-send).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi" token-env' -l 'token-env' -d 'Read the bearer token from this environment variable when no --token-file is given.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi" cacert' -l 'cacert' -d 'CA bundle (PEM) to verify the receiver with; default: the system\'s. Verification is always on.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi" cert' -l 'cert' -d 'Client certificate (PEM) for mutual TLS.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi" key' -l 'key' -d 'Client private key (PEM) for mutual TLS.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi" connect-timeout' -l 'connect-timeout' -d 'Seconds to wait for a connection.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi" timeout' -l 'timeout' -d 'Seconds one attempt may take in all.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi" retries' -l 'retries' -d 'Retries after a connection error, 408, 425, 429 or 5xx (exponential backoff with jitter).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi" retry-wait' -l 'retry-wait' -d 'The first backoff in seconds (doubled per retry).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi" max-retry-wait' -l 'max-retry-wait' -d 'The longest single wait, Retry-After included; longer asks spool instead.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi" spool' -l 'spool' -d 'The spool folder for undelivered payloads (default: `spool` beside the database).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit import-esxi" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit hosts" db' -l 'db' -d 'The inventory database: an SQLite file (default: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres://USER@HOST:PORT/DATABASE?sslmode=....' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit hosts" db-password-file' -l 'db-password-file' -d 'A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit hosts"' -l 'select' -d 'Only hosts with this label (repeatable).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit hosts" format' -l 'format' -d 'Output format: table or json.' -rfka 'table json'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit hosts" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit hosts" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit history" db' -l 'db' -d 'The inventory database: an SQLite file (default: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres://USER@HOST:PORT/DATABASE?sslmode=....' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit history" db-password-file' -l 'db-password-file' -d 'A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit history" format' -l 'format' -d 'Output format: table or json.' -rfka 'table json'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit history" changes' -l 'changes' -d 'Under the table, what changed at each snapshot since the one before, as `diff` says it (a VF now used by a guest, firmware, VLANs, ...).'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit history" compliance' -l 'compliance' -d 'Show the host\'s compliance per rule instead (first failed, fixed, waived), each stored content audited against --rules and --waivers.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit history" rules' -l 'rules' -d 'With --compliance: the rules file (default: the built-in rules).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit history" waivers' -l 'waivers' -d 'With --compliance: a waivers file, each waiver judged on the day of each content.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit history" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit history" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit show" db' -l 'db' -d 'The inventory database: an SQLite file (default: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres://USER@HOST:PORT/DATABASE?sslmode=....' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit show" db-password-file' -l 'db-password-file' -d 'A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit show" at' -l 'at' -d 'The snapshot as collected at or before this time (default: the latest).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit show" format' -l 'format' -d 'Output format: table or json.' -rfka 'table json'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit show" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit diff" db' -l 'db' -d 'The inventory database: an SQLite file (default: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres://USER@HOST:PORT/DATABASE?sslmode=....' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit diff" db-password-file' -l 'db-password-file' -d 'A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit diff" from' -l 'from' -d 'Compare from the snapshot at or before this time.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit diff" to' -l 'to' -d 'Compare to the snapshot at or before this time.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit diff" format' -l 'format' -d 'Output format: table or json.' -rfka 'table json'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit diff" compliance' -l 'compliance' -d 'Show the host\'s compliance per rule instead (first failed, fixed, waived), each stored content audited against --rules and --waivers.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit diff" rules' -l 'rules' -d 'With --compliance: the rules file (default: the built-in rules).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit diff" waivers' -l 'waivers' -d 'With --compliance: a waivers file, each waiver judged on the day of each content.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit diff" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit diff" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit prune" db' -l 'db' -d 'The inventory database: an SQLite file (default: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres://USER@HOST:PORT/DATABASE?sslmode=....' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit prune" db-password-file' -l 'db-password-file' -d 'A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit prune" keep-days' -l 'keep-days' -d 'Keep what was collected in the last N days.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit prune" progress' -l 'progress' -d 'A progress line on standard error for long work (done/total, rate, time left): auto (when standard error is a terminal), always or never.' -rfka 'auto always never'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit prune" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit prune" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit migrate" from' -l 'from' -d 'The inventory to copy: an SQLite file or a postgres:// URL.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit migrate" to' -l 'to' -d 'The database to copy into: an SQLite file or a postgres:// URL.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit migrate" from-password-file' -l 'from-password-file' -d 'A file holding the source\'s PostgreSQL password.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit migrate" to-password-file' -l 'to-password-file' -d 'A file holding the target\'s PostgreSQL password.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit migrate" progress' -l 'progress' -d 'A progress line on standard error for long work (done/total, rate, time left): auto (when standard error is a terminal), always or never.' -rfka 'auto always never'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit migrate" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit migrate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" rules' -l 'rules' -d 'The rules file (default: the built-in rules/default.yaml).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit"' -l 'root' -d 'Audit a capture folder (repeatable).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit"' -l 'snapshot' -d 'Audit snapshot JSON made by `collect --format json` (a file, or JSON lines; repeatable).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" fleet' -l 'fleet' -d 'Audit the latest snapshot of every host in the database (implied by --db or --select without --root/--snapshot).'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit"' -l 'select' -d 'With --fleet: only hosts with this label (repeatable).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" db' -l 'db' -d 'The inventory database: an SQLite file (default: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres://USER@HOST:PORT/DATABASE?sslmode=....' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" db-password-file' -l 'db-password-file' -d 'A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit"' -l 'label' -d 'Attach a label to the host (repeatable): site, rack, l2-domain, tenant, role...' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" no-store' -l 'no-store' -d 'When auditing this host, do not store the snapshot in the database.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" fail-on' -l 'fail-on' -d 'Lowest severity that makes the exit status 1 (info, low, medium, high, critical).' -rfka 'info low medium high critical'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" format' -l 'format' -d 'Formats, comma-separated: table, json, junit, sarif, prom, html, md.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" out' -l 'out' -d 'Folder for the report files (default: reports/); `-` prints the one format to standard output.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" waivers' -l 'waivers' -d 'Accepted risks (YAML): matching violations are reported as waived and do not fail the run.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" max-waiver-days' -l 'max-waiver-days' -d 'A waiver may expire at most this many days ahead.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" as-of' -l 'as-of' -d 'Judge waiver expiry on this UTC day instead of today (which waivers will have lapsed by a roll-out date).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" sign' -l 'sign' -d 'Sign the report files and write an evidence manifest with this Ed25519 private key (PEM, from `keygen`).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" keep-runs' -l 'keep-runs' -d 'Keep the report files of only the newest N runs of this host (or fleet) in --out; latest.* always stays.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit"' -l 'push' -d 'POST the payload to this HTTP(S) URL (repeatable). Undelivered payloads are spooled and re-sent.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" token-file' -l 'token-file' -d 'Read the bearer token from FILE (re-read by every later re-send).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" token-env' -l 'token-env' -d 'Read the bearer token from this environment variable when no --token-file is given.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" cacert' -l 'cacert' -d 'CA bundle (PEM) to verify the receiver with; default: the system\'s. Verification is always on.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" cert' -l 'cert' -d 'Client certificate (PEM) for mutual TLS.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" key' -l 'key' -d 'Client private key (PEM) for mutual TLS.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" connect-timeout' -l 'connect-timeout' -d 'Seconds to wait for a connection.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" timeout' -l 'timeout' -d 'Seconds one attempt may take in all.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" retries' -l 'retries' -d 'Retries after a connection error, 408, 425, 429 or 5xx (exponential backoff with jitter).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" retry-wait' -l 'retry-wait' -d 'The first backoff in seconds (doubled per retry).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" max-retry-wait' -l 'max-retry-wait' -d 'The longest single wait, Retry-After included; longer asks spool instead.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" spool' -l 'spool' -d 'The spool folder for undelivered payloads (default: `spool` beside the database).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" color' -l 'color' -d 'Colour PASS/WARN/FAIL and severities: auto (when standard output is a terminal and NO_COLOR is not set), always or never.' -rfka 'auto always never'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" progress' -l 'progress' -d 'A progress line on standard error for long work (done/total, rate, time left): auto (when standard error is a terminal), always or never.' -rfka 'auto always never'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit audit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit check-upgrade" model' -l 'model' -d 'The NIC model: VENDOR:DEVICE (15b3:101d), with :SUBVENDOR:SUBDEVICE, or a glob on its name.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit check-upgrade" firmware' -l 'firmware' -d 'The planned firmware version, as ethtool -i will report it.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit check-upgrade" driver' -l 'driver' -d 'The planned driver version.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit check-upgrade" kernel' -l 'kernel' -d 'The planned kernel release (in-tree drivers report it as their version).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit check-upgrade" rules' -l 'rules' -d 'The rules file (default: the built-in rules).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit check-upgrade"' -l 'root' -d 'Audit a capture folder (repeatable).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit check-upgrade"' -l 'snapshot' -d 'Audit snapshot JSON made by `collect --format json` (a file, or JSON lines; repeatable).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit check-upgrade" fleet' -l 'fleet' -d 'Audit the latest snapshot of every host in the database (implied by --db or --select without --root/--snapshot).'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit check-upgrade"' -l 'select' -d 'With --fleet: only hosts with this label (repeatable).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit check-upgrade" db' -l 'db' -d 'The inventory database: an SQLite file (default: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres://USER@HOST:PORT/DATABASE?sslmode=....' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit check-upgrade" db-password-file' -l 'db-password-file' -d 'A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit check-upgrade"' -l 'label' -d 'Attach a label to the host (repeatable): site, rack, l2-domain, tenant, role...' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit check-upgrade" fail-on' -l 'fail-on' -d 'Lowest severity that counts as non-compliant.' -rfka 'info low medium high critical'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit check-upgrade" format' -l 'format' -d 'Output format: table or json.' -rfka 'table json'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit check-upgrade" color' -l 'color' -d 'Colour PASS/WARN/FAIL and severities: auto (when standard output is a terminal and NO_COLOR is not set), always or never.' -rfka 'auto always never'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit check-upgrade" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit check-upgrade" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit rules" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit rules" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit rules" -eq 1' -fa 'check' -d 'Validate a rules file; every mistake is printed as FILE:LINE:COL: message.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit rules check" waivers' -l 'waivers' -d 'Also validate a waivers file against these rules.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit rules check" max-waiver-days' -l 'max-waiver-days' -d 'A waiver may expire at most this many days ahead.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit rules check" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit rules check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit push" flush' -l 'flush' -d 'Re-send everything spooled.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit push"' -l 'snapshot' -d 'Push the snapshots in FILE (JSON or JSON lines) to every --push URL (repeatable).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit push"' -l 'push' -d 'POST the payload to this HTTP(S) URL (repeatable). Undelivered payloads are spooled and re-sent.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit push" token-file' -l 'token-file' -d 'Read the bearer token from FILE (re-read by every later re-send).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit push" token-env' -l 'token-env' -d 'Read the bearer token from this environment variable when no --token-file is given.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit push" cacert' -l 'cacert' -d 'CA bundle (PEM) to verify the receiver with; default: the system\'s. Verification is always on.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit push" cert' -l 'cert' -d 'Client certificate (PEM) for mutual TLS.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit push" key' -l 'key' -d 'Client private key (PEM) for mutual TLS.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit push" connect-timeout' -l 'connect-timeout' -d 'Seconds to wait for a connection.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit push" timeout' -l 'timeout' -d 'Seconds one attempt may take in all.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit push" retries' -l 'retries' -d 'Retries after a connection error, 408, 425, 429 or 5xx (exponential backoff with jitter).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit push" retry-wait' -l 'retry-wait' -d 'The first backoff in seconds (doubled per retry).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit push" max-retry-wait' -l 'max-retry-wait' -d 'The longest single wait, Retry-After included; longer asks spool instead.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit push" spool' -l 'spool' -d 'The spool folder for undelivered payloads (default: `spool` beside the database).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit push" db' -l 'db' -d 'The inventory database: an SQLite file (default: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres://USER@HOST:PORT/DATABASE?sslmode=....' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit push" db-password-file' -l 'db-password-file' -d 'A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit push" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit push" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" db' -l 'db' -d 'The inventory database: an SQLite file (default: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres://USER@HOST:PORT/DATABASE?sslmode=....' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" db-password-file' -l 'db-password-file' -d 'A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" listen' -l 'listen' -d 'Address and port to listen on; port 0 picks a free one (see --port-file).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" tls-cert' -l 'tls-cert' -d 'Server certificate chain (PEM).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" tls-key' -l 'tls-key' -d 'Server private key (PEM).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" client-ca' -l 'client-ca' -d 'Require client certificates signed by this CA (mutual TLS).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" insecure-http' -l 'insecure-http' -d 'Allow plain HTTP on a non-loopback address.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" max-body' -l 'max-body' -d 'Largest request body, also once inflated (bytes, or with K/M/G).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" body-timeout' -l 'body-timeout' -d 'Time a request body may take to arrive.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" idle-timeout' -l 'idle-timeout' -d 'Close keep-alive connections idle this long.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" max-connections' -l 'max-connections' -d 'Most connections open at once.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" rate-limit' -l 'rate-limit' -d 'Requests per second per token, sustained.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" rate-burst' -l 'rate-burst' -d 'Requests per token at once.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" stale-after' -l 'stale-after' -d 'A host not seen for this long counts as stale in /metrics.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" keep-host-reports' -l 'keep-host-reports' -d 'Reports kept per host (audit --push from the hosts).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" read-without-token' -l 'read-without-token' -d 'Serve the read API without a reader token (behind an authenticating proxy only).'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" enroll-secret-file' -l 'enroll-secret-file' -d 'Let new hosts obtain a token with this shared secret (POST /v1/enroll).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve"' -l 'enroll-label' -d 'Label given to enrolled hosts (repeatable).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" port-file' -l 'port-file' -d 'Write the bound port here once listening.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" log-level' -l 'log-level' -d 'trace, debug, info, notice, warning, error or critical.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" audit-every' -l 'audit-every' -d 'Audit the fleet this often (e.g. 15m, 1h); none when not given.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" rules' -l 'rules' -d 'Rules for the scheduled audit (default: the built-in rules).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" fail-on' -l 'fail-on' -d 'Lowest severity that makes a scheduled audit non-compliant.' -rfka 'info low medium high critical'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" waivers' -l 'waivers' -d 'Accepted risks for the scheduled audit (YAML), read again at every run.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" max-waiver-days' -l 'max-waiver-days' -d 'A waiver may expire at most this many days ahead.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" sign' -l 'sign' -d 'Sign every scheduled audit\'s report files and write its evidence manifest with this Ed25519 private key (PEM, from `keygen`).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" out' -l 'out' -d 'Report folder of the scheduled audit (default: reports/ beside the database).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" format' -l 'format' -d 'Formats the scheduled audit writes.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" keep-runs' -l 'keep-runs' -d 'Report files of the newest N scheduled audits are kept.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve"' -l 'push' -d 'POST the payload to this HTTP(S) URL (repeatable). Undelivered payloads are spooled and re-sent.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" token-file' -l 'token-file' -d 'Read the bearer token from FILE (re-read by every later re-send).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" token-env' -l 'token-env' -d 'Read the bearer token from this environment variable when no --token-file is given.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" cacert' -l 'cacert' -d 'CA bundle (PEM) to verify the receiver with; default: the system\'s. Verification is always on.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" cert' -l 'cert' -d 'Client certificate (PEM) for mutual TLS.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" key' -l 'key' -d 'Client private key (PEM) for mutual TLS.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" connect-timeout' -l 'connect-timeout' -d 'Seconds to wait for a connection.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" timeout' -l 'timeout' -d 'Seconds one attempt may take in all.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" retries' -l 'retries' -d 'Retries after a connection error, 408, 425, 429 or 5xx (exponential backoff with jitter).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" retry-wait' -l 'retry-wait' -d 'The first backoff in seconds (doubled per retry).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" max-retry-wait' -l 'max-retry-wait' -d 'The longest single wait, Retry-After included; longer asks spool instead.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" spool' -l 'spool' -d 'The spool folder for undelivered payloads (default: `spool` beside the database).' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit serve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit token" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit token" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit token" -eq 1' -fa 'issue' -d 'Print a new token for HOST once; only its SHA-256 is stored.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit token" -eq 1' -fa 'list' -d 'List tokens: host, role, labels, created, last used; never the token itself.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_positional "sriov-audit token" -eq 1' -fa 'revoke' -d 'Revoke every live token of HOST; the server refuses them at once.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit token issue"' -l 'label' -d 'Attach a label to the host (repeatable): site, rack, l2-domain, tenant, role...' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit token issue" reader' -l 'reader' -d 'A token for the read API, not for pushing.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit token issue" db' -l 'db' -d 'The inventory database: an SQLite file (default: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres://USER@HOST:PORT/DATABASE?sslmode=....' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit token issue" db-password-file' -l 'db-password-file' -d 'A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit token issue" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit token issue" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit token list" db' -l 'db' -d 'The inventory database: an SQLite file (default: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres://USER@HOST:PORT/DATABASE?sslmode=....' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit token list" db-password-file' -l 'db-password-file' -d 'A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit token list" format' -l 'format' -d 'Output format: table or json.' -rfka 'table json'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit token list" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit token list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit token revoke" db' -l 'db' -d 'The inventory database: an SQLite file (default: /var/lib/sriov-audit/inventory.db for root, else ~/.local/share/sriov-audit/inventory.db) or a PostgreSQL URL postgres://USER@HOST:PORT/DATABASE?sslmode=....' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit token revoke" db-password-file' -l 'db-password-file' -d 'A file holding the PostgreSQL password (first line), when the URL has none; else PGPASSWORD is used.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit token revoke" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit token revoke" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit keygen" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit keygen" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit verify" key' -l 'key' -d 'The public key (PEM) the evidence must be signed with.' -rfka ''
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit verify" format' -l 'format' -d 'Output format: table or json.' -rfka 'table json'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit verify" version' -l 'version' -d 'Show the version.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'sriov-audit' -n '__sriov-audit_should_offer_completions_for_flags_or_options "sriov-audit help" version' -l 'version' -d 'Show the version.'
