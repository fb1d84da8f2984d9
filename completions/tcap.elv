
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
            cand -o 'Output format: json works for every command, csv and html for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv and html for analyze [default: table]'
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
            cand schedule-change 'Provision TRUS for a window, then revert and verify; survives interruption'
            cand changes 'Scheduled changes recorded on this machine: list, resume, extend, cancel'
            cand autopilot 'Raise capacity when a namespace throttles, give it back when calm'
            cand dev-server 'Serve a local emulator of the Cloud Ops and Metrics APIs'
            cand completions 'Print a shell completion script'
            cand man 'Write the manual pages into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tcap;analyze'= {
            cand --namespace 'Only namespaces matching this glob (ID or name part); repeatable'
            cand --exclude 'Leave out namespaces matching this glob (ID or name part); repeatable'
            cand --concurrency 'Cloud Ops requests in flight at once'
            cand --rate-limit 'Cloud Ops requests per second at most; a 429 slows the run below it for a while (Temporal allows 80 per service account, 40 per user)'
            cand --target-utilization 'Share of the limit a namespace should use at its 7-day p99, in (0, 1]'
            cand --max-metrics-calls 'Metrics API requests this run may spend, retries included (the account has 180 an hour, shared with its other scrapers); a cut answer is read again in parts within it'
            cand --price-per-million-actions 'Dollars per million actions for the cost figures [default: 50, the list price]'
            cand --slack-webhook-url 'Slack incoming-webhook URL for alerts and summaries; it is a secret, never printed'
            cand --api-key-file 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]'
            cand --metrics-api-key-file 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]'
            cand --cloud-ops-url 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]'
            cand --metrics-url 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]'
            cand --api-version 'Value of the temporal-cloud-api-version header [default: v0.19.1]'
            cand --config 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]'
            cand -o 'Output format: json works for every command, csv and html for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv and html for analyze [default: table]'
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
            cand -o 'Output format: json works for every command, csv and html for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv and html for analyze [default: table]'
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
            cand -o 'Output format: json works for every command, csv and html for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv and html for analyze [default: table]'
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
            cand -o 'Output format: json works for every command, csv and html for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv and html for analyze [default: table]'
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
        &'tcap;schedule-change'= {
            cand --start-time 'When to provision: RFC 3339 or local ''YYYY-MM-DD HH:MM'' [default: now]'
            cand --end-time 'When to revert: RFC 3339 or local ''YYYY-MM-DD HH:MM'' (no end: a permanent change)'
            cand --duration 'How long the window lasts from its start, e.g. 4h'
            cand --revert-to 'What to revert to at the end'
            cand --slack-webhook-url 'Slack incoming-webhook URL for alerts and summaries; it is a secret, never printed'
            cand --wait-timeout 'How long to wait for each capacity change to apply'
            cand --api-key-file 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]'
            cand --metrics-api-key-file 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]'
            cand --cloud-ops-url 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]'
            cand --metrics-url 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]'
            cand --api-version 'Value of the temporal-cloud-api-version header [default: v0.19.1]'
            cand --config 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]'
            cand -o 'Output format: json works for every command, csv and html for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv and html for analyze [default: table]'
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
        }
        &'tcap;changes'= {
            cand --api-key-file 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]'
            cand --metrics-api-key-file 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]'
            cand --cloud-ops-url 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]'
            cand --metrics-url 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]'
            cand --api-version 'Value of the temporal-cloud-api-version header [default: v0.19.1]'
            cand --config 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]'
            cand -o 'Output format: json works for every command, csv and html for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv and html for analyze [default: table]'
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
            cand list 'Every recorded change: namespace, plan, step, running or interrupted'
            cand resume 'Resume interrupted changes (for example from cron @reboot)'
            cand extend 'Move the end time of a change; a running change picks it up within seconds'
            cand cancel 'Stop a change; with --revert-now, revert it at once'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tcap;changes;list'= {
            cand --api-key-file 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]'
            cand --metrics-api-key-file 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]'
            cand --cloud-ops-url 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]'
            cand --metrics-url 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]'
            cand --api-version 'Value of the temporal-cloud-api-version header [default: v0.19.1]'
            cand --config 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]'
            cand -o 'Output format: json works for every command, csv and html for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv and html for analyze [default: table]'
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
        &'tcap;changes;resume'= {
            cand --max-concurrent-changes 'At most this many capacity changes in flight at once (Temporal allows an account 10 concurrent async operations, shared with everything else on it)'
            cand --slack-webhook-url 'Slack incoming-webhook URL for alerts and summaries; it is a secret, never printed'
            cand --wait-timeout 'How long to wait for each capacity change to apply'
            cand --api-key-file 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]'
            cand --metrics-api-key-file 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]'
            cand --cloud-ops-url 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]'
            cand --metrics-url 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]'
            cand --api-version 'Value of the temporal-cloud-api-version header [default: v0.19.1]'
            cand --config 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]'
            cand -o 'Output format: json works for every command, csv and html for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv and html for analyze [default: table]'
            cand --color 'When to use colors; NO_COLOR is honoured [default: auto]'
            cand --request-timeout 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]'
            cand --all 'Every unfinished change no other process is running (those are skipped and listed)'
            cand --demo 'Run against a built-in emulated account: no key, no network'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand -v 'More log lines on stderr (repeat for more); RUST_LOG overrides'
            cand --verbose 'More log lines on stderr (repeat for more); RUST_LOG overrides'
            cand --no-progress 'Never draw progress bars (they are drawn only when stderr is a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'tcap;changes;extend'= {
            cand --end-time 'The new end time: RFC 3339 or local ''YYYY-MM-DD HH:MM'''
            cand --duration 'The window''s new length from its recorded start, e.g. 6h (as in schedule-change)'
            cand --api-key-file 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]'
            cand --metrics-api-key-file 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]'
            cand --cloud-ops-url 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]'
            cand --metrics-url 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]'
            cand --api-version 'Value of the temporal-cloud-api-version header [default: v0.19.1]'
            cand --config 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]'
            cand -o 'Output format: json works for every command, csv and html for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv and html for analyze [default: table]'
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
        &'tcap;changes;cancel'= {
            cand --slack-webhook-url 'Slack incoming-webhook URL for alerts and summaries; it is a secret, never printed'
            cand --wait-timeout 'How long to wait for each capacity change to apply'
            cand --api-key-file 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]'
            cand --metrics-api-key-file 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]'
            cand --cloud-ops-url 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]'
            cand --metrics-url 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]'
            cand --api-version 'Value of the temporal-cloud-api-version header [default: v0.19.1]'
            cand --config 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]'
            cand -o 'Output format: json works for every command, csv and html for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv and html for analyze [default: table]'
            cand --color 'When to use colors; NO_COLOR is honoured [default: auto]'
            cand --request-timeout 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]'
            cand --revert-now 'Revert the namespace now instead of leaving its capacity as it is'
            cand --demo 'Run against a built-in emulated account: no key, no network'
            cand -q 'Only errors on stderr'
            cand --quiet 'Only errors on stderr'
            cand -v 'More log lines on stderr (repeat for more); RUST_LOG overrides'
            cand --verbose 'More log lines on stderr (repeat for more); RUST_LOG overrides'
            cand --no-progress 'Never draw progress bars (they are drawn only when stderr is a terminal)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'tcap;changes;help'= {
            cand list 'Every recorded change: namespace, plan, step, running or interrupted'
            cand resume 'Resume interrupted changes (for example from cron @reboot)'
            cand extend 'Move the end time of a change; a running change picks it up within seconds'
            cand cancel 'Stop a change; with --revert-now, revert it at once'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'tcap;changes;help;list'= {
        }
        &'tcap;changes;help;resume'= {
        }
        &'tcap;changes;help;extend'= {
        }
        &'tcap;changes;help;cancel'= {
        }
        &'tcap;changes;help;help'= {
        }
        &'tcap;autopilot'= {
            cand --namespace 'Namespaces to look after, by glob on the ID or its name part; repeatable; ''*'' is all'
            cand --exclude 'Leave out namespaces matching this glob; repeatable'
            cand --max-trus 'Never raise a namespace above this many TRUs'
            cand --interval 'How often a metrics window is read (each read is one Metrics API call)'
            cand --scale-up-at 'Raise when the binding dimension''s utilization reaches this (any throttling also raises)'
            cand --scale-down-below 'A namespace below this utilization, not throttled, is calm'
            cand --calm-for 'How long a namespace must stay calm before what autopilot raised is lowered'
            cand --min-hold 'Never lower within this long of a raise (an hour is billed at its highest TRU value)'
            cand --target-utilization 'Share of the limit the demand should use after a raise, in (0, 1]'
            cand --max-hourly-cost 'Dollars an hour autopilot''s extra TRUs may add at most, summed over what it holds'
            cand --price-per-million-actions 'Dollars per million actions for the cost cap [default: 50, the list price]'
            cand --max-metrics-calls-per-hour 'Metrics API calls an hour autopilot may spend (the account has 180, shared with its scrapers); an --interval that needs more is refused'
            cand --max-concurrent-changes 'At most this many capacity changes in flight at once (Temporal allows an account 10 concurrent async operations)'
            cand --name 'Which autopilot: each name has its own state file and lock'
            cand --slack-webhook-url 'Slack incoming-webhook URL for alerts and summaries; it is a secret, never printed'
            cand --wait-timeout 'How long to wait for each capacity change to apply'
            cand --api-key-file 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]'
            cand --metrics-api-key-file 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]'
            cand --cloud-ops-url 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]'
            cand --metrics-url 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]'
            cand --api-version 'Value of the temporal-cloud-api-version header [default: v0.19.1]'
            cand --config 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]'
            cand -o 'Output format: json works for every command, csv and html for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv and html for analyze [default: table]'
            cand --color 'When to use colors; NO_COLOR is honoured [default: auto]'
            cand --request-timeout 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]'
            cand --dry-run 'Decide and report, change nothing (no state file is written)'
            cand --once 'One tick, then exit (0 done, 1 a change failed, 75 the tick could not run)'
            cand --release 'Lower everything this autopilot holds back to its baselines, verified, and forget it'
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
            cand --apply-delay 'How long a capacity change takes to apply, in emulated time [default: 20s, or 2m with --load]'
            cand --rate-limit 'Cloud Ops requests per second above which the server answers 429'
            cand --fault-rate 'Share of requests that get an injected fault (429, 503, dropped connection, a cut-off or malformed body, an answer slower than the client''s 30 s timeout)'
            cand --silent-namespaces 'Provisioned-idle namespaces that send no metric series at all (idle the whole window)'
            cand --max-concurrent-operations 'Capacity changes in flight at once across the account; one more answers 429 (Temporal documents 10)'
            cand --load 'Replay a per-minute load profile (CSV: minute,namespace,aps[,rps[,ops]]; minutes count from 00:00 UTC): the account is its namespaces, all On-Demand, with 7 days of history seeded from it; GET /_dev/ledger tells what was served, throttled and billed'
            cand --clock-speed 'Emulated seconds per real second (0 < K <= 1000). Above about 60, tcap''s 1-second polling floor distorts a replay: it polls less than once an emulated minute, so it misses minutes of metrics and reacts late'
            cand --api-key-file 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]'
            cand --metrics-api-key-file 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]'
            cand --cloud-ops-url 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]'
            cand --metrics-url 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]'
            cand --api-version 'Value of the temporal-cloud-api-version header [default: v0.19.1]'
            cand --config 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]'
            cand -o 'Output format: json works for every command, csv and html for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv and html for analyze [default: table]'
            cand --color 'When to use colors; NO_COLOR is honoured [default: auto]'
            cand --request-timeout 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]'
            cand --bare-namespace-labels 'Label metrics with the bare namespace name (`payments-prod`) instead of the full ID'
            cand --stale-version-400 'Refuse a stale resourceVersion with 400 FailedPrecondition instead of 409 Aborted (the real service''s answer is not documented)'
            cand --check-version-first 'Check resourceVersion before asyncOperationId, so a retried update is refused as stale'
            cand --one-change-per-hour 'Refuse a capacity change within an emulated hour of the namespace''s previous one (400 FailedPrecondition); whether Temporal enforces this is not documented'
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
            cand -o 'Output format: json works for every command, csv and html for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv and html for analyze [default: table]'
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
            cand -o 'Output format: json works for every command, csv and html for analyze [default: table]'
            cand --output 'Output format: json works for every command, csv and html for analyze [default: table]'
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
            cand schedule-change 'Provision TRUS for a window, then revert and verify; survives interruption'
            cand changes 'Scheduled changes recorded on this machine: list, resume, extend, cancel'
            cand autopilot 'Raise capacity when a namespace throttles, give it back when calm'
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
        &'tcap;help;schedule-change'= {
        }
        &'tcap;help;changes'= {
            cand list 'Every recorded change: namespace, plan, step, running or interrupted'
            cand resume 'Resume interrupted changes (for example from cron @reboot)'
            cand extend 'Move the end time of a change; a running change picks it up within seconds'
            cand cancel 'Stop a change; with --revert-now, revert it at once'
        }
        &'tcap;help;changes;list'= {
        }
        &'tcap;help;changes;resume'= {
        }
        &'tcap;help;changes;extend'= {
        }
        &'tcap;help;changes;cancel'= {
        }
        &'tcap;help;autopilot'= {
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
