_exportctl_completion() {
    local response line type value cur=${COMP_WORDS[COMP_CWORD]}

    response=$(env COMP_LINE="${COMP_LINE:0:COMP_POINT}" COMP_WORDBREAKS="$COMP_WORDBREAKS" _EXPORTCTL_COMPLETE=bash_complete $1)

    while IFS= read -r line; do
        type=${line%%,*}
        value=${line#*,}

        if [[ $type == 'dir' ]]; then
            COMPREPLY=()
            compopt -o dirnames
        elif [[ $type == 'file' ]]; then
            COMPREPLY=()
            compopt -o default
        elif [[ $type == 'plain' ]]; then
            if [[ $cur != [\"\']* ]]; then
                printf -v value '%q' "$value"
                value=${value//\\,/,}
            fi
            COMPREPLY+=("$value")
        fi
    done <<< "$response"

    return 0
}

_exportctl_completion_setup() {
    complete -o nosort -F _exportctl_completion exportctl
}

_exportctl_completion_setup;
