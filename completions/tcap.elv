
use builtin;
use str;

set edit:completion:arg-completer[tcap] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'tcap'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'tcap'= {
            cand --api-key-file 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]'
            cand --metrics-api-key-file 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]'
            cand --cloud-ops-url 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]'
            cand --metrics-url 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]'
            cand --api-version 'Value of the temporal-cloud-api-version header [default: v0.19.1]'
            cand --config 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]'
            cand -o 'Output format: json works for every command, csv for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv for analyze [default: table]'
            cand --color 'When to use colors; NO_COLOR is honoured [default: auto]'
            cand --request-timeout 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]'
            cand --demo 'Run against a built-in emulated account: no key, no network'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand -v 'More log lines on stderr (repeat for more); RUST_LOG overrides'
            cand --verbose 'More log lines on stderr (repeat for more); RUST_LOG overrides'
            cand --no-progress 'Never draw progress bars (they are drawn only when stderr is a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand analyze 'Recommend a capacity mode and TRUs for every namespace'
            cand provision 'Set Provisioned Capacity of TRUS, and wait until it is in force'
            cand revert 'Return to On-Demand capacity, and wait until it is in force'
            cand verify 'Check that a namespace has the expected capacity (exit 3 when not)'
            cand dev-server 'Serve a local emulator of the Cloud Ops and Metrics APIs'
            cand completions 'Print a shell completion script'
            cand man 'Write the manual pages into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tcap;analyze'= {
            cand --namespace 'Only namespaces matching this glob (ID or name part); repeatable'
            cand --exclude 'Leave out namespaces matching this glob (ID or name part); repeatable'
            cand --concurrency 'Cloud Ops requests in flight at once'
            cand --target-utilization 'Share of the limit a namespace should use at its 7-day p99, in (0, 1]'
            cand --slack-webhook-url 'Slack incoming-webhook URL for --notify'
            cand --api-key-file 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]'
            cand --metrics-api-key-file 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]'
            cand --cloud-ops-url 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]'
            cand --metrics-url 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]'
            cand --api-version 'Value of the temporal-cloud-api-version header [default: v0.19.1]'
            cand --config 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]'
            cand -o 'Output format: json works for every command, csv for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv for analyze [default: table]'
            cand --color 'When to use colors; NO_COLOR is honoured [default: auto]'
            cand --request-timeout 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]'
            cand --notify 'Post a summary of the namespaces whose action is not `keep` to Slack'
            cand --demo 'Run against a built-in emulated account: no key, no network'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand -v 'More log lines on stderr (repeat for more); RUST_LOG overrides'
            cand --verbose 'More log lines on stderr (repeat for more); RUST_LOG overrides'
            cand --no-progress 'Never draw progress bars (they are drawn only when stderr is a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'tcap;provision'= {
            cand --wait-timeout 'How long to wait for the change to apply'
            cand --api-key-file 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]'
            cand --metrics-api-key-file 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]'
            cand --cloud-ops-url 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]'
            cand --metrics-url 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]'
            cand --api-version 'Value of the temporal-cloud-api-version header [default: v0.19.1]'
            cand --config 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]'
            cand -o 'Output format: json works for every command, csv for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv for analyze [default: table]'
            cand --color 'When to use colors; NO_COLOR is honoured [default: auto]'
            cand --request-timeout 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]'
            cand --dry-run 'Print the planned change and send nothing'
            cand --no-wait 'Return once the change is accepted, without waiting for it to apply'
            cand --demo 'Run against a built-in emulated account: no key, no network'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand -v 'More log lines on stderr (repeat for more); RUST_LOG overrides'
            cand --verbose 'More log lines on stderr (repeat for more); RUST_LOG overrides'
            cand --no-progress 'Never draw progress bars (they are drawn only when stderr is a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'tcap;revert'= {
            cand --wait-timeout 'How long to wait for the change to apply'
            cand --api-key-file 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]'
            cand --metrics-api-key-file 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]'
            cand --cloud-ops-url 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]'
            cand --metrics-url 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]'
            cand --api-version 'Value of the temporal-cloud-api-version header [default: v0.19.1]'
            cand --config 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]'
            cand -o 'Output format: json works for every command, csv for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv for analyze [default: table]'
            cand --color 'When to use colors; NO_COLOR is honoured [default: auto]'
            cand --request-timeout 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]'
            cand --dry-run 'Print the planned change and send nothing'
            cand --no-wait 'Return once the change is accepted, without waiting for it to apply'
            cand --demo 'Run against a built-in emulated account: no key, no network'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand -v 'More log lines on stderr (repeat for more); RUST_LOG overrides'
            cand --verbose 'More log lines on stderr (repeat for more); RUST_LOG overrides'
            cand --no-progress 'Never draw progress bars (they are drawn only when stderr is a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'tcap;verify'= {
            cand --trus 'Expect Provisioned Capacity of N TRUs'
            cand --wait 'Poll until it matches or this much time has passed'
            cand --api-key-file 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]'
            cand --metrics-api-key-file 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]'
            cand --cloud-ops-url 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]'
            cand --metrics-url 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]'
            cand --api-version 'Value of the temporal-cloud-api-version header [default: v0.19.1]'
            cand --config 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]'
            cand -o 'Output format: json works for every command, csv for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv for analyze [default: table]'
            cand --color 'When to use colors; NO_COLOR is honoured [default: auto]'
            cand --request-timeout 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]'
            cand --on-demand 'Expect On-Demand capacity'
            cand --demo 'Run against a built-in emulated account: no key, no network'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand -v 'More log lines on stderr (repeat for more); RUST_LOG overrides'
            cand --verbose 'More log lines on stderr (repeat for more); RUST_LOG overrides'
            cand --no-progress 'Never draw progress bars (they are drawn only when stderr is a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'tcap;dev-server'= {
            cand --listen 'Address to listen on (port 0 picks a free port)'
            cand --namespaces 'Namespaces in the generated account'
            cand --seed 'Seed of the generated account and of injected faults'
            cand --latency 'Delay added to every response, e.g. 100ms'
            cand --apply-delay 'How long a capacity change takes to apply'
            cand --rate-limit 'Cloud Ops requests per second above which the server answers 429'
            cand --fault-rate 'Share of requests that get an injected fault (429, 503, dropped connection, bad body)'
            cand --api-key-file 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]'
            cand --metrics-api-key-file 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]'
            cand --cloud-ops-url 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]'
            cand --metrics-url 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]'
            cand --api-version 'Value of the temporal-cloud-api-version header [default: v0.19.1]'
            cand --config 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]'
            cand -o 'Output format: json works for every command, csv for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv for analyze [default: table]'
            cand --color 'When to use colors; NO_COLOR is honoured [default: auto]'
            cand --request-timeout 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]'
            cand --demo 'Run against a built-in emulated account: no key, no network'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand -v 'More log lines on stderr (repeat for more); RUST_LOG overrides'
            cand --verbose 'More log lines on stderr (repeat for more); RUST_LOG overrides'
            cand --no-progress 'Never draw progress bars (they are drawn only when stderr is a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'tcap;completions'= {
            cand --api-key-file 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]'
            cand --metrics-api-key-file 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]'
            cand --cloud-ops-url 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]'
            cand --metrics-url 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]'
            cand --api-version 'Value of the temporal-cloud-api-version header [default: v0.19.1]'
            cand --config 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]'
            cand -o 'Output format: json works for every command, csv for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv for analyze [default: table]'
            cand --color 'When to use colors; NO_COLOR is honoured [default: auto]'
            cand --request-timeout 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]'
            cand --demo 'Run against a built-in emulated account: no key, no network'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand -v 'More log lines on stderr (repeat for more); RUST_LOG overrides'
            cand --verbose 'More log lines on stderr (repeat for more); RUST_LOG overrides'
            cand --no-progress 'Never draw progress bars (they are drawn only when stderr is a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'tcap;man'= {
            cand --api-key-file 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]'
            cand --metrics-api-key-file 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]'
            cand --cloud-ops-url 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]'
            cand --metrics-url 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]'
            cand --api-version 'Value of the temporal-cloud-api-version header [default: v0.19.1]'
            cand --config 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]'
            cand -o 'Output format: json works for every command, csv for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv for analyze [default: table]'
            cand --color 'When to use colors; NO_COLOR is honoured [default: auto]'
            cand --request-timeout 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]'
            cand --demo 'Run against a built-in emulated account: no key, no network'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand -v 'More log lines on stderr (repeat for more); RUST_LOG overrides'
            cand --verbose 'More log lines on stderr (repeat for more); RUST_LOG overrides'
            cand --no-progress 'Never draw progress bars (they are drawn only when stderr is a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'tcap;help'= {
            cand analyze 'Recommend a capacity mode and TRUs for every namespace'
            cand provision 'Set Provisioned Capacity of TRUS, and wait until it is in force'
            cand revert 'Return to On-Demand capacity, and wait until it is in force'
            cand verify 'Check that a namespace has the expected capacity (exit 3 when not)'
            cand dev-server 'Serve a local emulator of the Cloud Ops and Metrics APIs'
            cand completions 'Print a shell completion script'
            cand man 'Write the manual pages into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tcap;help;analyze'= {
        }
        &'tcap;help;provision'= {
        }
        &'tcap;help;revert'= {
        }
        &'tcap;help;verify'= {
        }
        &'tcap;help;dev-server'= {
        }
        &'tcap;help;completions'= {
        }
        &'tcap;help;man'= {
        }
        &'tcap;help;help'= {
        }
    ]
    $completions[$command]
}
