#!/bin/bash

__sriov-audit_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__sriov-audit_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__sriov-audit_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__sriov-audit_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_sriov-audit() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __sriov-audit_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    collect|capture|import|import-esxi|hosts|history|show|diff|prune|migrate|audit|check-upgrade|rules|push|serve|token|keygen|verify|help)
        # Offer subcommand argument completions
        "_sriov-audit_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'collect capture import import-esxi hosts history show diff prune migrate audit check-upgrade rules push serve token keygen verify help' -- "${cur}"))
        ;;
    esac
}

_sriov-audit_collect() {
    repeating_flags=()
    non_repeating_flags=(--store --version -h --help)
    repeating_options=(--label --push)
    non_repeating_options=(--root --host --pci-ids --format --output -o --db --db-password-file --token-file --token-env --cacert --cert --key --connect-timeout --timeout --retries --retry-wait --max-retry-wait --spool)
    __sriov-audit_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--root')
        return
        ;;
    '--host')
        return
        ;;
    '--pci-ids')
        return
        ;;
    '--format')
        __sriov-audit_add_completions -W 'table'$'\n''json'
        return
        ;;
    '--output'|'-o')
        return
        ;;
    '--db')
        return
        ;;
    '--db-password-file')
        return
        ;;
    '--label')
        return
        ;;
    '--push')
        return
        ;;
    '--token-file')
        return
        ;;
    '--token-env')
        return
        ;;
    '--cacert')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '--retries')
        return
        ;;
    '--retry-wait')
        return
        ;;
    '--max-retry-wait')
        return
        ;;
    '--spool')
        return
        ;;
    esac
}

_sriov-audit_capture() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--host --progress)
    __sriov-audit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--host')
        return
        ;;
    '--progress')
        __sriov-audit_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_sriov-audit_import() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=(--label)
    non_repeating_options=(--db --db-password-file --format --progress)
    __sriov-audit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--db-password-file')
        return
        ;;
    '--label')
        return
        ;;
    '--format')
        __sriov-audit_add_completions -W 'table'$'\n''json'
        return
        ;;
    '--progress')
        __sriov-audit_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_sriov-audit_import-esxi() {
    repeating_flags=()
    non_repeating_flags=(--store --version -h --help)
    repeating_options=(--label --push)
    non_repeating_options=(--hostname --format --output -o --db --db-password-file --token-file --token-env --cacert --cert --key --connect-timeout --timeout --retries --retry-wait --max-retry-wait --spool)
    __sriov-audit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--hostname')
        return
        ;;
    '--format')
        __sriov-audit_add_completions -W 'table'$'\n''json'
        return
        ;;
    '--output'|'-o')
        return
        ;;
    '--db')
        return
        ;;
    '--db-password-file')
        return
        ;;
    '--label')
        return
        ;;
    '--push')
        return
        ;;
    '--token-file')
        return
        ;;
    '--token-env')
        return
        ;;
    '--cacert')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '--retries')
        return
        ;;
    '--retry-wait')
        return
        ;;
    '--max-retry-wait')
        return
        ;;
    '--spool')
        return
        ;;
    esac
}

_sriov-audit_hosts() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=(--select)
    non_repeating_options=(--db --db-password-file --format)
    __sriov-audit_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--db-password-file')
        return
        ;;
    '--select')
        return
        ;;
    '--format')
        __sriov-audit_add_completions -W 'table'$'\n''json'
        return
        ;;
    esac
}

_sriov-audit_history() {
    repeating_flags=()
    non_repeating_flags=(--changes --compliance --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --db-password-file --format --rules --waivers)
    __sriov-audit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--db-password-file')
        return
        ;;
    '--format')
        __sriov-audit_add_completions -W 'table'$'\n''json'
        return
        ;;
    '--rules')
        return
        ;;
    '--waivers')
        return
        ;;
    esac
}

_sriov-audit_show() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--db --db-password-file --at --format)
    __sriov-audit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--db-password-file')
        return
        ;;
    '--at')
        return
        ;;
    '--format')
        __sriov-audit_add_completions -W 'table'$'\n''json'
        return
        ;;
    esac
}

_sriov-audit_diff() {
    repeating_flags=()
    non_repeating_flags=(--compliance --version -h --help)
    repeating_options=()
    non_repeating_options=(--db --db-password-file --from --to --format --rules --waivers)
    __sriov-audit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--db-password-file')
        return
        ;;
    '--from')
        return
        ;;
    '--to')
        return
        ;;
    '--format')
        __sriov-audit_add_completions -W 'table'$'\n''json'
        return
        ;;
    '--rules')
        return
        ;;
    '--waivers')
        return
        ;;
    esac
}

_sriov-audit_prune() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--db --db-password-file --keep-days --progress)
    __sriov-audit_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--db-password-file')
        return
        ;;
    '--keep-days')
        return
        ;;
    '--progress')
        __sriov-audit_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_sriov-audit_migrate() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--from --to --from-password-file --to-password-file --progress)
    __sriov-audit_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--from')
        return
        ;;
    '--to')
        return
        ;;
    '--from-password-file')
        return
        ;;
    '--to-password-file')
        return
        ;;
    '--progress')
        __sriov-audit_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_sriov-audit_audit() {
    repeating_flags=()
    non_repeating_flags=(--fleet --no-store --version -h --help)
    repeating_options=(--root --snapshot --select --label --push)
    non_repeating_options=(--rules --db --db-password-file --fail-on --format --out --waivers --max-waiver-days --as-of --sign --keep-runs --token-file --token-env --cacert --cert --key --connect-timeout --timeout --retries --retry-wait --max-retry-wait --spool --color --progress)
    __sriov-audit_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--rules')
        return
        ;;
    '--root')
        return
        ;;
    '--snapshot')
        return
        ;;
    '--select')
        return
        ;;
    '--db')
        return
        ;;
    '--db-password-file')
        return
        ;;
    '--label')
        return
        ;;
    '--fail-on')
        __sriov-audit_add_completions -W 'info'$'\n''low'$'\n''medium'$'\n''high'$'\n''critical'
        return
        ;;
    '--format')
        return
        ;;
    '--out')
        return
        ;;
    '--waivers')
        return
        ;;
    '--max-waiver-days')
        return
        ;;
    '--as-of')
        return
        ;;
    '--sign')
        return
        ;;
    '--keep-runs')
        return
        ;;
    '--push')
        return
        ;;
    '--token-file')
        return
        ;;
    '--token-env')
        return
        ;;
    '--cacert')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '--retries')
        return
        ;;
    '--retry-wait')
        return
        ;;
    '--max-retry-wait')
        return
        ;;
    '--spool')
        return
        ;;
    '--color')
        __sriov-audit_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    '--progress')
        __sriov-audit_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_sriov-audit_check-upgrade() {
    repeating_flags=()
    non_repeating_flags=(--fleet --version -h --help)
    repeating_options=(--root --snapshot --select --label)
    non_repeating_options=(--model --firmware --driver --kernel --rules --db --db-password-file --fail-on --format --color)
    __sriov-audit_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--model')
        return
        ;;
    '--firmware')
        return
        ;;
    '--driver')
        return
        ;;
    '--kernel')
        return
        ;;
    '--rules')
        return
        ;;
    '--root')
        return
        ;;
    '--snapshot')
        return
        ;;
    '--select')
        return
        ;;
    '--db')
        return
        ;;
    '--db-password-file')
        return
        ;;
    '--label')
        return
        ;;
    '--fail-on')
        __sriov-audit_add_completions -W 'info'$'\n''low'$'\n''medium'$'\n''high'$'\n''critical'
        return
        ;;
    '--format')
        __sriov-audit_add_completions -W 'table'$'\n''json'
        return
        ;;
    '--color')
        __sriov-audit_add_completions -W 'auto'$'\n''always'$'\n''never'
        return
        ;;
    esac
}

_sriov-audit_rules() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __sriov-audit_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    check)
        # Offer subcommand argument completions
        "_sriov-audit_rules_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'check' -- "${cur}"))
        ;;
    esac
}

_sriov-audit_rules_check() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--waivers --max-waiver-days)
    __sriov-audit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--waivers')
        return
        ;;
    '--max-waiver-days')
        return
        ;;
    esac
}

_sriov-audit_push() {
    repeating_flags=()
    non_repeating_flags=(--flush --version -h --help)
    repeating_options=(--snapshot --push)
    non_repeating_options=(--token-file --token-env --cacert --cert --key --connect-timeout --timeout --retries --retry-wait --max-retry-wait --spool --db --db-password-file)
    __sriov-audit_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--snapshot')
        return
        ;;
    '--push')
        return
        ;;
    '--token-file')
        return
        ;;
    '--token-env')
        return
        ;;
    '--cacert')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '--retries')
        return
        ;;
    '--retry-wait')
        return
        ;;
    '--max-retry-wait')
        return
        ;;
    '--spool')
        return
        ;;
    '--db')
        return
        ;;
    '--db-password-file')
        return
        ;;
    esac
}

_sriov-audit_serve() {
    repeating_flags=()
    non_repeating_flags=(--insecure-http --read-without-token --version -h --help)
    repeating_options=(--enroll-label --push)
    non_repeating_options=(--db --db-password-file --listen --tls-cert --tls-key --client-ca --max-body --body-timeout --idle-timeout --max-connections --rate-limit --rate-burst --stale-after --keep-host-reports --enroll-secret-file --port-file --log-level --audit-every --rules --fail-on --waivers --max-waiver-days --sign --out --format --keep-runs --token-file --token-env --cacert --cert --key --connect-timeout --timeout --retries --retry-wait --max-retry-wait --spool)
    __sriov-audit_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--db-password-file')
        return
        ;;
    '--listen')
        return
        ;;
    '--tls-cert')
        return
        ;;
    '--tls-key')
        return
        ;;
    '--client-ca')
        return
        ;;
    '--max-body')
        return
        ;;
    '--body-timeout')
        return
        ;;
    '--idle-timeout')
        return
        ;;
    '--max-connections')
        return
        ;;
    '--rate-limit')
        return
        ;;
    '--rate-burst')
        return
        ;;
    '--stale-after')
        return
        ;;
    '--keep-host-reports')
        return
        ;;
    '--enroll-secret-file')
        return
        ;;
    '--enroll-label')
        return
        ;;
    '--port-file')
        return
        ;;
    '--log-level')
        return
        ;;
    '--audit-every')
        return
        ;;
    '--rules')
        return
        ;;
    '--fail-on')
        __sriov-audit_add_completions -W 'info'$'\n''low'$'\n''medium'$'\n''high'$'\n''critical'
        return
        ;;
    '--waivers')
        return
        ;;
    '--max-waiver-days')
        return
        ;;
    '--sign')
        return
        ;;
    '--out')
        return
        ;;
    '--format')
        return
        ;;
    '--keep-runs')
        return
        ;;
    '--push')
        return
        ;;
    '--token-file')
        return
        ;;
    '--token-env')
        return
        ;;
    '--cacert')
        return
        ;;
    '--cert')
        return
        ;;
    '--key')
        return
        ;;
    '--connect-timeout')
        return
        ;;
    '--timeout')
        return
        ;;
    '--retries')
        return
        ;;
    '--retry-wait')
        return
        ;;
    '--max-retry-wait')
        return
        ;;
    '--spool')
        return
        ;;
    esac
}

_sriov-audit_token() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __sriov-audit_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    issue|list|revoke)
        # Offer subcommand argument completions
        "_sriov-audit_token_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'issue list revoke' -- "${cur}"))
        ;;
    esac
}

_sriov-audit_token_issue() {
    repeating_flags=()
    non_repeating_flags=(--reader --version -h --help)
    repeating_options=(--label)
    non_repeating_options=(--db --db-password-file)
    __sriov-audit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--label')
        return
        ;;
    '--db')
        return
        ;;
    '--db-password-file')
        return
        ;;
    esac
}

_sriov-audit_token_list() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--db --db-password-file --format)
    __sriov-audit_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--db-password-file')
        return
        ;;
    '--format')
        __sriov-audit_add_completions -W 'table'$'\n''json'
        return
        ;;
    esac
}

_sriov-audit_token_revoke() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--db --db-password-file)
    __sriov-audit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--db')
        return
        ;;
    '--db-password-file')
        return
        ;;
    esac
}

_sriov-audit_keygen() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __sriov-audit_offer_flags_options 1
}

_sriov-audit_verify() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=(--key --format)
    __sriov-audit_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--key')
        return
        ;;
    '--format')
        __sriov-audit_add_completions -W 'table'$'\n''json'
        return
        ;;
    esac
}

_sriov-audit_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __sriov-audit_offer_flags_options -1
}

complete -o filenames -F _sriov-audit sriov-audit
