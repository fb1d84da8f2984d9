# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_tcap_global_optspecs
    string join \n api-key-file= metrics-api-key-file= cloud-ops-url= metrics-url= api-version= config= o/output= demo q/quiet v/verbose color= no-progress request-timeout= h/help V/version
end

function __fish_tcap_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_tcap_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_tcap_using_subcommand
    set -l cmd (__fish_tcap_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c tcap -n "__fish_tcap_needs_command" -l api-key-file -d 'File holding the Cloud Ops API key (\'-\' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]' -r -F
complete -c tcap -n "__fish_tcap_needs_command" -l metrics-api-key-file -d 'File holding the Metrics API key (\'-\' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]' -r -F
complete -c tcap -n "__fish_tcap_needs_command" -l cloud-ops-url -d 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]' -r
complete -c tcap -n "__fish_tcap_needs_command" -l metrics-url -d 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]' -r
complete -c tcap -n "__fish_tcap_needs_command" -l api-version -d 'Value of the temporal-cloud-api-version header [default: v0.19.1]' -r
complete -c tcap -n "__fish_tcap_needs_command" -l config -d 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]' -r -F
complete -c tcap -n "__fish_tcap_needs_command" -s o -l output -d 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]' -r -f -a "table\t''
json\t''
csv\t''
cron\t''
html\t''"
complete -c tcap -n "__fish_tcap_needs_command" -l color -d 'When to use colors; NO_COLOR is honoured [default: auto]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tcap -n "__fish_tcap_needs_command" -l request-timeout -d 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]' -r
complete -c tcap -n "__fish_tcap_needs_command" -l demo -d 'Run against a built-in emulated account: no key, no network'
complete -c tcap -n "__fish_tcap_needs_command" -s q -l quiet -d 'Only errors on stderr'
complete -c tcap -n "__fish_tcap_needs_command" -s v -l verbose -d 'More log lines on stderr (repeat for more); RUST_LOG overrides'
complete -c tcap -n "__fish_tcap_needs_command" -l no-progress -d 'Never draw progress bars (they are drawn only when stderr is a terminal)'
complete -c tcap -n "__fish_tcap_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tcap -n "__fish_tcap_needs_command" -s V -l version -d 'Print version'
complete -c tcap -n "__fish_tcap_needs_command" -f -a "analyze" -d 'Recommend a capacity mode and TRUs for every namespace'
complete -c tcap -n "__fish_tcap_needs_command" -f -a "provision" -d 'Set Provisioned Capacity of TRUS, and wait until it is in force'
complete -c tcap -n "__fish_tcap_needs_command" -f -a "revert" -d 'Return to On-Demand capacity, and wait until it is in force'
complete -c tcap -n "__fish_tcap_needs_command" -f -a "verify" -d 'Check that a namespace has the expected capacity (exit 3 when not)'
complete -c tcap -n "__fish_tcap_needs_command" -f -a "schedule-change" -d 'Provision TRUS for a window, then revert and verify; survives interruption'
complete -c tcap -n "__fish_tcap_needs_command" -f -a "changes" -d 'Scheduled changes recorded on this machine: list, resume, extend, cancel'
complete -c tcap -n "__fish_tcap_needs_command" -f -a "autopilot" -d 'Raise capacity when a namespace throttles, give it back when calm'
complete -c tcap -n "__fish_tcap_needs_command" -f -a "plan" -d 'Price each namespace\'s Prometheus history under every capacity it could have had'
complete -c tcap -n "__fish_tcap_needs_command" -f -a "dev-server" -d 'Serve a local emulator of the Cloud Ops and Metrics APIs'
complete -c tcap -n "__fish_tcap_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c tcap -n "__fish_tcap_needs_command" -f -a "man" -d 'Write the manual pages into a directory'
complete -c tcap -n "__fish_tcap_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l namespace -d 'Only namespaces matching this glob (ID or name part); repeatable' -r
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l exclude -d 'Leave out namespaces matching this glob (ID or name part); repeatable' -r
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l concurrency -d 'Cloud Ops requests in flight at once' -r
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l rate-limit -d 'Cloud Ops requests per second at most; a 429 slows the run below it for a while (Temporal allows 80 per service account, 40 per user)' -r
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l target-utilization -d 'Share of the limit a namespace should use at its 7-day p99, in (0, 1]' -r
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l max-metrics-calls -d 'Metrics API requests this run may spend, retries included (the account has 180 an hour, shared with its other scrapers); a cut answer is read again in parts within it' -r
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l price-per-million-actions -d 'Dollars per million actions for the cost figures [default: 50, the list price]' -r
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l slack-webhook-url -d 'Slack incoming-webhook URL for alerts and summaries; it is a secret, never printed' -r
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l prometheus -d 'Base URL of a Prometheus-compatible server scraping Temporal Cloud\'s metrics (/api/v1/query_range is appended) [env: TCAP_PROMETHEUS_URL]' -r
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l prometheus-token-file -d 'File holding a bearer token for that server, sent only over HTTPS or to loopback' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l api-key-file -d 'File holding the Cloud Ops API key (\'-\' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l metrics-api-key-file -d 'File holding the Metrics API key (\'-\' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l cloud-ops-url -d 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]' -r
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l metrics-url -d 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]' -r
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l api-version -d 'Value of the temporal-cloud-api-version header [default: v0.19.1]' -r
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l config -d 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -s o -l output -d 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]' -r -f -a "table\t''
json\t''
csv\t''
cron\t''
html\t''"
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l color -d 'When to use colors; NO_COLOR is honoured [default: auto]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l request-timeout -d 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]' -r
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l notify -d 'Post a summary of the namespaces whose action is not `keep` to Slack'
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l demo -d 'Run against a built-in emulated account: no key, no network'
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -s q -l quiet -d 'Only errors on stderr'
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -s v -l verbose -d 'More log lines on stderr (repeat for more); RUST_LOG overrides'
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -l no-progress -d 'Never draw progress bars (they are drawn only when stderr is a terminal)'
complete -c tcap -n "__fish_tcap_using_subcommand analyze" -s h -l help -d 'Print help'
complete -c tcap -n "__fish_tcap_using_subcommand provision" -l wait-timeout -d 'How long to wait for the change to apply' -r
complete -c tcap -n "__fish_tcap_using_subcommand provision" -l api-key-file -d 'File holding the Cloud Ops API key (\'-\' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand provision" -l metrics-api-key-file -d 'File holding the Metrics API key (\'-\' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand provision" -l cloud-ops-url -d 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]' -r
complete -c tcap -n "__fish_tcap_using_subcommand provision" -l metrics-url -d 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]' -r
complete -c tcap -n "__fish_tcap_using_subcommand provision" -l api-version -d 'Value of the temporal-cloud-api-version header [default: v0.19.1]' -r
complete -c tcap -n "__fish_tcap_using_subcommand provision" -l config -d 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand provision" -s o -l output -d 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]' -r -f -a "table\t''
json\t''
csv\t''
cron\t''
html\t''"
complete -c tcap -n "__fish_tcap_using_subcommand provision" -l color -d 'When to use colors; NO_COLOR is honoured [default: auto]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tcap -n "__fish_tcap_using_subcommand provision" -l request-timeout -d 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]' -r
complete -c tcap -n "__fish_tcap_using_subcommand provision" -l dry-run -d 'Print the planned change and send nothing'
complete -c tcap -n "__fish_tcap_using_subcommand provision" -l no-wait -d 'Return once the change is accepted, without waiting for it to apply'
complete -c tcap -n "__fish_tcap_using_subcommand provision" -l demo -d 'Run against a built-in emulated account: no key, no network'
complete -c tcap -n "__fish_tcap_using_subcommand provision" -s q -l quiet -d 'Only errors on stderr'
complete -c tcap -n "__fish_tcap_using_subcommand provision" -s v -l verbose -d 'More log lines on stderr (repeat for more); RUST_LOG overrides'
complete -c tcap -n "__fish_tcap_using_subcommand provision" -l no-progress -d 'Never draw progress bars (they are drawn only when stderr is a terminal)'
complete -c tcap -n "__fish_tcap_using_subcommand provision" -s h -l help -d 'Print help'
complete -c tcap -n "__fish_tcap_using_subcommand revert" -l wait-timeout -d 'How long to wait for the change to apply' -r
complete -c tcap -n "__fish_tcap_using_subcommand revert" -l api-key-file -d 'File holding the Cloud Ops API key (\'-\' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand revert" -l metrics-api-key-file -d 'File holding the Metrics API key (\'-\' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand revert" -l cloud-ops-url -d 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]' -r
complete -c tcap -n "__fish_tcap_using_subcommand revert" -l metrics-url -d 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]' -r
complete -c tcap -n "__fish_tcap_using_subcommand revert" -l api-version -d 'Value of the temporal-cloud-api-version header [default: v0.19.1]' -r
complete -c tcap -n "__fish_tcap_using_subcommand revert" -l config -d 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand revert" -s o -l output -d 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]' -r -f -a "table\t''
json\t''
csv\t''
cron\t''
html\t''"
complete -c tcap -n "__fish_tcap_using_subcommand revert" -l color -d 'When to use colors; NO_COLOR is honoured [default: auto]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tcap -n "__fish_tcap_using_subcommand revert" -l request-timeout -d 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]' -r
complete -c tcap -n "__fish_tcap_using_subcommand revert" -l dry-run -d 'Print the planned change and send nothing'
complete -c tcap -n "__fish_tcap_using_subcommand revert" -l no-wait -d 'Return once the change is accepted, without waiting for it to apply'
complete -c tcap -n "__fish_tcap_using_subcommand revert" -l demo -d 'Run against a built-in emulated account: no key, no network'
complete -c tcap -n "__fish_tcap_using_subcommand revert" -s q -l quiet -d 'Only errors on stderr'
complete -c tcap -n "__fish_tcap_using_subcommand revert" -s v -l verbose -d 'More log lines on stderr (repeat for more); RUST_LOG overrides'
complete -c tcap -n "__fish_tcap_using_subcommand revert" -l no-progress -d 'Never draw progress bars (they are drawn only when stderr is a terminal)'
complete -c tcap -n "__fish_tcap_using_subcommand revert" -s h -l help -d 'Print help'
complete -c tcap -n "__fish_tcap_using_subcommand verify" -l trus -d 'Expect Provisioned Capacity of N TRUs' -r
complete -c tcap -n "__fish_tcap_using_subcommand verify" -l wait -d 'Poll until it matches or this much time has passed' -r
complete -c tcap -n "__fish_tcap_using_subcommand verify" -l api-key-file -d 'File holding the Cloud Ops API key (\'-\' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand verify" -l metrics-api-key-file -d 'File holding the Metrics API key (\'-\' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand verify" -l cloud-ops-url -d 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]' -r
complete -c tcap -n "__fish_tcap_using_subcommand verify" -l metrics-url -d 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]' -r
complete -c tcap -n "__fish_tcap_using_subcommand verify" -l api-version -d 'Value of the temporal-cloud-api-version header [default: v0.19.1]' -r
complete -c tcap -n "__fish_tcap_using_subcommand verify" -l config -d 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand verify" -s o -l output -d 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]' -r -f -a "table\t''
json\t''
csv\t''
cron\t''
html\t''"
complete -c tcap -n "__fish_tcap_using_subcommand verify" -l color -d 'When to use colors; NO_COLOR is honoured [default: auto]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tcap -n "__fish_tcap_using_subcommand verify" -l request-timeout -d 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]' -r
complete -c tcap -n "__fish_tcap_using_subcommand verify" -l on-demand -d 'Expect On-Demand capacity'
complete -c tcap -n "__fish_tcap_using_subcommand verify" -l demo -d 'Run against a built-in emulated account: no key, no network'
complete -c tcap -n "__fish_tcap_using_subcommand verify" -s q -l quiet -d 'Only errors on stderr'
complete -c tcap -n "__fish_tcap_using_subcommand verify" -s v -l verbose -d 'More log lines on stderr (repeat for more); RUST_LOG overrides'
complete -c tcap -n "__fish_tcap_using_subcommand verify" -l no-progress -d 'Never draw progress bars (they are drawn only when stderr is a terminal)'
complete -c tcap -n "__fish_tcap_using_subcommand verify" -s h -l help -d 'Print help'
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l file -d 'An event file: several namespaces over one window, each flat or on a ramp' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l max-concurrent-changes -d 'With --file: at most this many of the event\'s capacity changes in flight at once (Temporal allows an account 10 concurrent async operations)' -r
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l price-per-million-actions -d 'Dollars per million actions for the dry run\'s figures [default: 50, the list price]' -r
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l start-time -d 'When to provision: RFC 3339 or local \'YYYY-MM-DD HH:MM\' [default: now]' -r
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l end-time -d 'When to revert: RFC 3339 or local \'YYYY-MM-DD HH:MM\' (no end: a permanent change)' -r
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l duration -d 'How long the window lasts from its start, e.g. 4h' -r
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l revert-to -d 'What to revert to at the end' -r -f -a "previous\t'What the namespace had before the change'
on-demand\t'On-Demand, whatever it had before'"
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l slack-webhook-url -d 'Slack incoming-webhook URL for alerts and summaries; it is a secret, never printed' -r
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l wait-timeout -d 'How long to wait for each capacity change to apply' -r
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l api-key-file -d 'File holding the Cloud Ops API key (\'-\' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l metrics-api-key-file -d 'File holding the Metrics API key (\'-\' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l cloud-ops-url -d 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]' -r
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l metrics-url -d 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]' -r
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l api-version -d 'Value of the temporal-cloud-api-version header [default: v0.19.1]' -r
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l config -d 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -s o -l output -d 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]' -r -f -a "table\t''
json\t''
csv\t''
cron\t''
html\t''"
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l color -d 'When to use colors; NO_COLOR is honoured [default: auto]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l request-timeout -d 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]' -r
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l dry-run -d 'Show the plan and each calendar hour\'s TRU minimum; send nothing, write no state file'
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l allow-subhour-steps -d 'Allow an event\'s steps less than an hour apart (TRUs are adjusted and billed hourly)'
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l demo -d 'Run against a built-in emulated account: no key, no network'
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -s q -l quiet -d 'Only errors on stderr'
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -s v -l verbose -d 'More log lines on stderr (repeat for more); RUST_LOG overrides'
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -l no-progress -d 'Never draw progress bars (they are drawn only when stderr is a terminal)'
complete -c tcap -n "__fish_tcap_using_subcommand schedule-change" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and not __fish_seen_subcommand_from list resume extend cancel help" -l api-key-file -d 'File holding the Cloud Ops API key (\'-\' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand changes; and not __fish_seen_subcommand_from list resume extend cancel help" -l metrics-api-key-file -d 'File holding the Metrics API key (\'-\' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand changes; and not __fish_seen_subcommand_from list resume extend cancel help" -l cloud-ops-url -d 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and not __fish_seen_subcommand_from list resume extend cancel help" -l metrics-url -d 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and not __fish_seen_subcommand_from list resume extend cancel help" -l api-version -d 'Value of the temporal-cloud-api-version header [default: v0.19.1]' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and not __fish_seen_subcommand_from list resume extend cancel help" -l config -d 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand changes; and not __fish_seen_subcommand_from list resume extend cancel help" -s o -l output -d 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]' -r -f -a "table\t''
json\t''
csv\t''
cron\t''
html\t''"
complete -c tcap -n "__fish_tcap_using_subcommand changes; and not __fish_seen_subcommand_from list resume extend cancel help" -l color -d 'When to use colors; NO_COLOR is honoured [default: auto]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tcap -n "__fish_tcap_using_subcommand changes; and not __fish_seen_subcommand_from list resume extend cancel help" -l request-timeout -d 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and not __fish_seen_subcommand_from list resume extend cancel help" -l demo -d 'Run against a built-in emulated account: no key, no network'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and not __fish_seen_subcommand_from list resume extend cancel help" -s q -l quiet -d 'Only errors on stderr'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and not __fish_seen_subcommand_from list resume extend cancel help" -s v -l verbose -d 'More log lines on stderr (repeat for more); RUST_LOG overrides'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and not __fish_seen_subcommand_from list resume extend cancel help" -l no-progress -d 'Never draw progress bars (they are drawn only when stderr is a terminal)'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and not __fish_seen_subcommand_from list resume extend cancel help" -s h -l help -d 'Print help'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and not __fish_seen_subcommand_from list resume extend cancel help" -f -a "list" -d 'Every recorded change: namespace, plan, step, running or interrupted'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and not __fish_seen_subcommand_from list resume extend cancel help" -f -a "resume" -d 'Resume interrupted changes (for example from cron @reboot)'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and not __fish_seen_subcommand_from list resume extend cancel help" -f -a "extend" -d 'Move the end time of a change; a running change picks it up within seconds'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and not __fish_seen_subcommand_from list resume extend cancel help" -f -a "cancel" -d 'Stop a change; with --revert-now, revert it at once'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and not __fish_seen_subcommand_from list resume extend cancel help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from list" -l api-key-file -d 'File holding the Cloud Ops API key (\'-\' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from list" -l metrics-api-key-file -d 'File holding the Metrics API key (\'-\' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from list" -l cloud-ops-url -d 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from list" -l metrics-url -d 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from list" -l api-version -d 'Value of the temporal-cloud-api-version header [default: v0.19.1]' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from list" -l config -d 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]' -r -f -a "table\t''
json\t''
csv\t''
cron\t''
html\t''"
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from list" -l color -d 'When to use colors; NO_COLOR is honoured [default: auto]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from list" -l request-timeout -d 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from list" -l demo -d 'Run against a built-in emulated account: no key, no network'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only errors on stderr'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log lines on stderr (repeat for more); RUST_LOG overrides'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from list" -l no-progress -d 'Never draw progress bars (they are drawn only when stderr is a terminal)'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from resume" -l event -d 'The event (from `schedule-change --file`) to resume' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from resume" -l max-concurrent-changes -d 'At most this many capacity changes in flight at once (Temporal allows an account 10 concurrent async operations, shared with everything else on it)' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from resume" -l slack-webhook-url -d 'Slack incoming-webhook URL for alerts and summaries; it is a secret, never printed' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from resume" -l wait-timeout -d 'How long to wait for each capacity change to apply' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from resume" -l api-key-file -d 'File holding the Cloud Ops API key (\'-\' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from resume" -l metrics-api-key-file -d 'File holding the Metrics API key (\'-\' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from resume" -l cloud-ops-url -d 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from resume" -l metrics-url -d 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from resume" -l api-version -d 'Value of the temporal-cloud-api-version header [default: v0.19.1]' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from resume" -l config -d 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from resume" -s o -l output -d 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]' -r -f -a "table\t''
json\t''
csv\t''
cron\t''
html\t''"
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from resume" -l color -d 'When to use colors; NO_COLOR is honoured [default: auto]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from resume" -l request-timeout -d 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from resume" -l all -d 'Every unfinished change and event no other process is running (those are skipped and listed)'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from resume" -l demo -d 'Run against a built-in emulated account: no key, no network'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from resume" -s q -l quiet -d 'Only errors on stderr'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from resume" -s v -l verbose -d 'More log lines on stderr (repeat for more); RUST_LOG overrides'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from resume" -l no-progress -d 'Never draw progress bars (they are drawn only when stderr is a terminal)'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from resume" -s h -l help -d 'Print help'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from extend" -l event -d 'The event (from `schedule-change --file`) whose end to move' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from extend" -l end-time -d 'The new end time: RFC 3339 or local \'YYYY-MM-DD HH:MM\'' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from extend" -l duration -d 'The window\'s new length from its recorded start, e.g. 6h (as in schedule-change)' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from extend" -l api-key-file -d 'File holding the Cloud Ops API key (\'-\' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from extend" -l metrics-api-key-file -d 'File holding the Metrics API key (\'-\' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from extend" -l cloud-ops-url -d 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from extend" -l metrics-url -d 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from extend" -l api-version -d 'Value of the temporal-cloud-api-version header [default: v0.19.1]' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from extend" -l config -d 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from extend" -s o -l output -d 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]' -r -f -a "table\t''
json\t''
csv\t''
cron\t''
html\t''"
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from extend" -l color -d 'When to use colors; NO_COLOR is honoured [default: auto]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from extend" -l request-timeout -d 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from extend" -l demo -d 'Run against a built-in emulated account: no key, no network'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from extend" -s q -l quiet -d 'Only errors on stderr'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from extend" -s v -l verbose -d 'More log lines on stderr (repeat for more); RUST_LOG overrides'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from extend" -l no-progress -d 'Never draw progress bars (they are drawn only when stderr is a terminal)'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from extend" -s h -l help -d 'Print help'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from cancel" -l event -d 'The event (from `schedule-change --file`) to stop' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from cancel" -l slack-webhook-url -d 'Slack incoming-webhook URL for alerts and summaries; it is a secret, never printed' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from cancel" -l wait-timeout -d 'How long to wait for each capacity change to apply' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from cancel" -l api-key-file -d 'File holding the Cloud Ops API key (\'-\' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from cancel" -l metrics-api-key-file -d 'File holding the Metrics API key (\'-\' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from cancel" -l cloud-ops-url -d 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from cancel" -l metrics-url -d 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from cancel" -l api-version -d 'Value of the temporal-cloud-api-version header [default: v0.19.1]' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from cancel" -l config -d 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from cancel" -s o -l output -d 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]' -r -f -a "table\t''
json\t''
csv\t''
cron\t''
html\t''"
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from cancel" -l color -d 'When to use colors; NO_COLOR is honoured [default: auto]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from cancel" -l request-timeout -d 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]' -r
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from cancel" -l revert-now -d 'Revert the namespace now instead of leaving its capacity as it is'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from cancel" -l demo -d 'Run against a built-in emulated account: no key, no network'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from cancel" -s q -l quiet -d 'Only errors on stderr'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from cancel" -s v -l verbose -d 'More log lines on stderr (repeat for more); RUST_LOG overrides'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from cancel" -l no-progress -d 'Never draw progress bars (they are drawn only when stderr is a terminal)'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from cancel" -s h -l help -d 'Print help'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from help" -f -a "list" -d 'Every recorded change: namespace, plan, step, running or interrupted'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from help" -f -a "resume" -d 'Resume interrupted changes (for example from cron @reboot)'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from help" -f -a "extend" -d 'Move the end time of a change; a running change picks it up within seconds'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from help" -f -a "cancel" -d 'Stop a change; with --revert-now, revert it at once'
complete -c tcap -n "__fish_tcap_using_subcommand changes; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l namespace -d 'Namespaces to look after, by glob on the ID or its name part; repeatable; \'*\' is all' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l exclude -d 'Leave out namespaces matching this glob; repeatable' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l max-trus -d 'Never raise a namespace above this many TRUs' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l interval -d 'How often a metrics window is read (each read is one Metrics API call, none with --prometheus)' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l scale-up-at -d 'Raise when the binding dimension\'s utilization reaches this (any throttling also raises)' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l scale-down-below -d 'A namespace below this utilization, not throttled, is calm' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l calm-for -d 'How long a namespace must stay calm before what autopilot raised is lowered' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l min-hold -d 'Never lower within this long of a raise (an hour is billed at its highest TRU value)' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l target-utilization -d 'Share of the limit the demand should use after a raise, in (0, 1]' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l max-hourly-cost -d 'Dollars an hour autopilot\'s extra TRUs may add at most, summed over what it holds' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l price-per-million-actions -d 'Dollars per million actions for the cost cap [default: 50, the list price]' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l max-metrics-calls-per-hour -d 'Metrics API calls an hour autopilot may spend (the account has 180, shared with its scrapers); an --interval that needs more is refused' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l max-concurrent-changes -d 'At most this many capacity changes in flight at once (Temporal allows an account 10 concurrent async operations)' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l name -d 'Which autopilot: each name has its own state file and lock' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l prometheus -d 'Base URL of a Prometheus-compatible server scraping Temporal Cloud\'s metrics (/api/v1/query_range is appended) [env: TCAP_PROMETHEUS_URL]' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l prometheus-token-file -d 'File holding a bearer token for that server, sent only over HTTPS or to loopback' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l slack-webhook-url -d 'Slack incoming-webhook URL for alerts and summaries; it is a secret, never printed' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l wait-timeout -d 'How long to wait for each capacity change to apply' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l api-key-file -d 'File holding the Cloud Ops API key (\'-\' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l metrics-api-key-file -d 'File holding the Metrics API key (\'-\' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l cloud-ops-url -d 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l metrics-url -d 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l api-version -d 'Value of the temporal-cloud-api-version header [default: v0.19.1]' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l config -d 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -s o -l output -d 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]' -r -f -a "table\t''
json\t''
csv\t''
cron\t''
html\t''"
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l color -d 'When to use colors; NO_COLOR is honoured [default: auto]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l request-timeout -d 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]' -r
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l dry-run -d 'Decide and report, change nothing (no state file is written)'
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l once -d 'One tick, then exit (0 done, 1 a change failed, 75 the tick could not run)'
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l release -d 'Lower everything this autopilot holds back to its baselines, verified, and forget it'
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l demo -d 'Run against a built-in emulated account: no key, no network'
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -s q -l quiet -d 'Only errors on stderr'
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -s v -l verbose -d 'More log lines on stderr (repeat for more); RUST_LOG overrides'
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -l no-progress -d 'Never draw progress bars (they are drawn only when stderr is a terminal)'
complete -c tcap -n "__fish_tcap_using_subcommand autopilot" -s h -l help -d 'Print help'
complete -c tcap -n "__fish_tcap_using_subcommand plan" -l namespace -d 'Only namespaces matching this glob (ID or name part); repeatable' -r
complete -c tcap -n "__fish_tcap_using_subcommand plan" -l exclude -d 'Leave out namespaces matching this glob (ID or name part); repeatable' -r
complete -c tcap -n "__fish_tcap_using_subcommand plan" -l prometheus -d 'Base URL of a Prometheus-compatible server scraping Temporal Cloud\'s metrics (/api/v1/query_range is appended) [env: TCAP_PROMETHEUS_URL]' -r
complete -c tcap -n "__fish_tcap_using_subcommand plan" -l prometheus-token-file -d 'File holding a bearer token for that server, sent only over HTTPS or to loopback' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand plan" -l history -d 'How far back to read, ending at the last whole hour' -r
complete -c tcap -n "__fish_tcap_using_subcommand plan" -l tz -d 'Time zone of the schedule\'s windows and of dates, e.g. Europe/Berlin' -r
complete -c tcap -n "__fish_tcap_using_subcommand plan" -l max-throttled -d 'Throttled actions per 30 days a plan may cause' -r
complete -c tcap -n "__fish_tcap_using_subcommand plan" -l horizon -d 'How far ahead a growth trend is followed to the limit' -r
complete -c tcap -n "__fish_tcap_using_subcommand plan" -l price-per-million-actions -d 'Dollars per million actions [default: 50, the list price]' -r
complete -c tcap -n "__fish_tcap_using_subcommand plan" -l api-key-file -d 'File holding the Cloud Ops API key (\'-\' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand plan" -l metrics-api-key-file -d 'File holding the Metrics API key (\'-\' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand plan" -l cloud-ops-url -d 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]' -r
complete -c tcap -n "__fish_tcap_using_subcommand plan" -l metrics-url -d 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]' -r
complete -c tcap -n "__fish_tcap_using_subcommand plan" -l api-version -d 'Value of the temporal-cloud-api-version header [default: v0.19.1]' -r
complete -c tcap -n "__fish_tcap_using_subcommand plan" -l config -d 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand plan" -s o -l output -d 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]' -r -f -a "table\t''
json\t''
csv\t''
cron\t''
html\t''"
complete -c tcap -n "__fish_tcap_using_subcommand plan" -l color -d 'When to use colors; NO_COLOR is honoured [default: auto]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tcap -n "__fish_tcap_using_subcommand plan" -l request-timeout -d 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]' -r
complete -c tcap -n "__fish_tcap_using_subcommand plan" -l demo -d 'Run against a built-in emulated account: no key, no network'
complete -c tcap -n "__fish_tcap_using_subcommand plan" -s q -l quiet -d 'Only errors on stderr'
complete -c tcap -n "__fish_tcap_using_subcommand plan" -s v -l verbose -d 'More log lines on stderr (repeat for more); RUST_LOG overrides'
complete -c tcap -n "__fish_tcap_using_subcommand plan" -l no-progress -d 'Never draw progress bars (they are drawn only when stderr is a terminal)'
complete -c tcap -n "__fish_tcap_using_subcommand plan" -s h -l help -d 'Print help'
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l listen -d 'Address to listen on (port 0 picks a free port)' -r
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l namespaces -d 'Namespaces in the generated account' -r
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l seed -d 'Seed of the generated account and of injected faults' -r
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l latency -d 'Delay added to every response, e.g. 100ms' -r
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l apply-delay -d 'How long a capacity change takes to apply, in emulated time [default: 20s, or 2m with --load]' -r
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l rate-limit -d 'Cloud Ops requests per second above which the server answers 429' -r
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l fault-rate -d 'Share of requests that get an injected fault (429, 503, dropped connection, a cut-off or malformed body, an answer slower than the client\'s 30 s timeout)' -r
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l silent-namespaces -d 'Provisioned-idle namespaces that send no metric series at all (idle the whole window)' -r
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l max-concurrent-operations -d 'Capacity changes in flight at once across the account; one more answers 429 (Temporal documents 10)' -r
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l load -d 'Replay a per-minute load profile (CSV: minute,namespace,aps[,rps[,ops]]; minutes count from 00:00 UTC): the account is its namespaces, all On-Demand, with 7 days of history seeded from it; GET /_dev/ledger tells what was served, throttled and billed' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l clock-speed -d 'Emulated seconds per real second (0 < K <= 1000). Above about 60, tcap\'s 1-second polling floor distorts a replay: it polls less than once an emulated minute, so it misses minutes of metrics and reacts late' -r
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l api-key-file -d 'File holding the Cloud Ops API key (\'-\' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l metrics-api-key-file -d 'File holding the Metrics API key (\'-\' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l cloud-ops-url -d 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]' -r
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l metrics-url -d 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]' -r
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l api-version -d 'Value of the temporal-cloud-api-version header [default: v0.19.1]' -r
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l config -d 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -s o -l output -d 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]' -r -f -a "table\t''
json\t''
csv\t''
cron\t''
html\t''"
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l color -d 'When to use colors; NO_COLOR is honoured [default: auto]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l request-timeout -d 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]' -r
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l bare-namespace-labels -d 'Label metrics with the bare namespace name (`payments-prod`) instead of the full ID'
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l stale-version-400 -d 'Refuse a stale resourceVersion with 400 FailedPrecondition instead of 409 Aborted (the real service\'s answer is not documented)'
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l check-version-first -d 'Check resourceVersion before asyncOperationId, so a retried update is refused as stale'
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l one-change-per-hour -d 'Refuse a capacity change within an emulated hour of the namespace\'s previous one (400 FailedPrecondition); whether Temporal enforces this is not documented'
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l demo -d 'Run against a built-in emulated account: no key, no network'
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -s q -l quiet -d 'Only errors on stderr'
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -s v -l verbose -d 'More log lines on stderr (repeat for more); RUST_LOG overrides'
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -l no-progress -d 'Never draw progress bars (they are drawn only when stderr is a terminal)'
complete -c tcap -n "__fish_tcap_using_subcommand dev-server" -s h -l help -d 'Print help'
complete -c tcap -n "__fish_tcap_using_subcommand completions" -l api-key-file -d 'File holding the Cloud Ops API key (\'-\' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand completions" -l metrics-api-key-file -d 'File holding the Metrics API key (\'-\' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand completions" -l cloud-ops-url -d 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]' -r
complete -c tcap -n "__fish_tcap_using_subcommand completions" -l metrics-url -d 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]' -r
complete -c tcap -n "__fish_tcap_using_subcommand completions" -l api-version -d 'Value of the temporal-cloud-api-version header [default: v0.19.1]' -r
complete -c tcap -n "__fish_tcap_using_subcommand completions" -l config -d 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand completions" -s o -l output -d 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]' -r -f -a "table\t''
json\t''
csv\t''
cron\t''
html\t''"
complete -c tcap -n "__fish_tcap_using_subcommand completions" -l color -d 'When to use colors; NO_COLOR is honoured [default: auto]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tcap -n "__fish_tcap_using_subcommand completions" -l request-timeout -d 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]' -r
complete -c tcap -n "__fish_tcap_using_subcommand completions" -l demo -d 'Run against a built-in emulated account: no key, no network'
complete -c tcap -n "__fish_tcap_using_subcommand completions" -s q -l quiet -d 'Only errors on stderr'
complete -c tcap -n "__fish_tcap_using_subcommand completions" -s v -l verbose -d 'More log lines on stderr (repeat for more); RUST_LOG overrides'
complete -c tcap -n "__fish_tcap_using_subcommand completions" -l no-progress -d 'Never draw progress bars (they are drawn only when stderr is a terminal)'
complete -c tcap -n "__fish_tcap_using_subcommand completions" -s h -l help -d 'Print help'
complete -c tcap -n "__fish_tcap_using_subcommand man" -l api-key-file -d 'File holding the Cloud Ops API key (\'-\' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand man" -l metrics-api-key-file -d 'File holding the Metrics API key (\'-\' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand man" -l cloud-ops-url -d 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]' -r
complete -c tcap -n "__fish_tcap_using_subcommand man" -l metrics-url -d 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]' -r
complete -c tcap -n "__fish_tcap_using_subcommand man" -l api-version -d 'Value of the temporal-cloud-api-version header [default: v0.19.1]' -r
complete -c tcap -n "__fish_tcap_using_subcommand man" -l config -d 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]' -r -F
complete -c tcap -n "__fish_tcap_using_subcommand man" -s o -l output -d 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]' -r -f -a "table\t''
json\t''
csv\t''
cron\t''
html\t''"
complete -c tcap -n "__fish_tcap_using_subcommand man" -l color -d 'When to use colors; NO_COLOR is honoured [default: auto]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c tcap -n "__fish_tcap_using_subcommand man" -l request-timeout -d 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]' -r
complete -c tcap -n "__fish_tcap_using_subcommand man" -l demo -d 'Run against a built-in emulated account: no key, no network'
complete -c tcap -n "__fish_tcap_using_subcommand man" -s q -l quiet -d 'Only errors on stderr'
complete -c tcap -n "__fish_tcap_using_subcommand man" -s v -l verbose -d 'More log lines on stderr (repeat for more); RUST_LOG overrides'
complete -c tcap -n "__fish_tcap_using_subcommand man" -l no-progress -d 'Never draw progress bars (they are drawn only when stderr is a terminal)'
complete -c tcap -n "__fish_tcap_using_subcommand man" -s h -l help -d 'Print help'
complete -c tcap -n "__fish_tcap_using_subcommand help; and not __fish_seen_subcommand_from analyze provision revert verify schedule-change changes autopilot plan dev-server completions man help" -f -a "analyze" -d 'Recommend a capacity mode and TRUs for every namespace'
complete -c tcap -n "__fish_tcap_using_subcommand help; and not __fish_seen_subcommand_from analyze provision revert verify schedule-change changes autopilot plan dev-server completions man help" -f -a "provision" -d 'Set Provisioned Capacity of TRUS, and wait until it is in force'
complete -c tcap -n "__fish_tcap_using_subcommand help; and not __fish_seen_subcommand_from analyze provision revert verify schedule-change changes autopilot plan dev-server completions man help" -f -a "revert" -d 'Return to On-Demand capacity, and wait until it is in force'
complete -c tcap -n "__fish_tcap_using_subcommand help; and not __fish_seen_subcommand_from analyze provision revert verify schedule-change changes autopilot plan dev-server completions man help" -f -a "verify" -d 'Check that a namespace has the expected capacity (exit 3 when not)'
complete -c tcap -n "__fish_tcap_using_subcommand help; and not __fish_seen_subcommand_from analyze provision revert verify schedule-change changes autopilot plan dev-server completions man help" -f -a "schedule-change" -d 'Provision TRUS for a window, then revert and verify; survives interruption'
complete -c tcap -n "__fish_tcap_using_subcommand help; and not __fish_seen_subcommand_from analyze provision revert verify schedule-change changes autopilot plan dev-server completions man help" -f -a "changes" -d 'Scheduled changes recorded on this machine: list, resume, extend, cancel'
complete -c tcap -n "__fish_tcap_using_subcommand help; and not __fish_seen_subcommand_from analyze provision revert verify schedule-change changes autopilot plan dev-server completions man help" -f -a "autopilot" -d 'Raise capacity when a namespace throttles, give it back when calm'
complete -c tcap -n "__fish_tcap_using_subcommand help; and not __fish_seen_subcommand_from analyze provision revert verify schedule-change changes autopilot plan dev-server completions man help" -f -a "plan" -d 'Price each namespace\'s Prometheus history under every capacity it could have had'
complete -c tcap -n "__fish_tcap_using_subcommand help; and not __fish_seen_subcommand_from analyze provision revert verify schedule-change changes autopilot plan dev-server completions man help" -f -a "dev-server" -d 'Serve a local emulator of the Cloud Ops and Metrics APIs'
complete -c tcap -n "__fish_tcap_using_subcommand help; and not __fish_seen_subcommand_from analyze provision revert verify schedule-change changes autopilot plan dev-server completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c tcap -n "__fish_tcap_using_subcommand help; and not __fish_seen_subcommand_from analyze provision revert verify schedule-change changes autopilot plan dev-server completions man help" -f -a "man" -d 'Write the manual pages into a directory'
complete -c tcap -n "__fish_tcap_using_subcommand help; and not __fish_seen_subcommand_from analyze provision revert verify schedule-change changes autopilot plan dev-server completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c tcap -n "__fish_tcap_using_subcommand help; and __fish_seen_subcommand_from changes" -f -a "list" -d 'Every recorded change: namespace, plan, step, running or interrupted'
complete -c tcap -n "__fish_tcap_using_subcommand help; and __fish_seen_subcommand_from changes" -f -a "resume" -d 'Resume interrupted changes (for example from cron @reboot)'
complete -c tcap -n "__fish_tcap_using_subcommand help; and __fish_seen_subcommand_from changes" -f -a "extend" -d 'Move the end time of a change; a running change picks it up within seconds'
complete -c tcap -n "__fish_tcap_using_subcommand help; and __fish_seen_subcommand_from changes" -f -a "cancel" -d 'Stop a change; with --revert-now, revert it at once'
