
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'tcap' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'tcap'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'tcap' {
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]')
            [CompletionResult]::new('--metrics-api-key-file', '--metrics-api-key-file', [CompletionResultType]::ParameterName, 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]')
            [CompletionResult]::new('--cloud-ops-url', '--cloud-ops-url', [CompletionResultType]::ParameterName, 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Value of the temporal-cloud-api-version header [default: v0.19.1]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors; NO_COLOR is honoured [default: auto]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against a built-in emulated account: no key, no network')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars (they are drawn only when stderr is a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('analyze', 'analyze', [CompletionResultType]::ParameterValue, 'Recommend a capacity mode and TRUs for every namespace')
            [CompletionResult]::new('provision', 'provision', [CompletionResultType]::ParameterValue, 'Set Provisioned Capacity of TRUS, and wait until it is in force')
            [CompletionResult]::new('revert', 'revert', [CompletionResultType]::ParameterValue, 'Return to On-Demand capacity, and wait until it is in force')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check that a namespace has the expected capacity (exit 3 when not)')
            [CompletionResult]::new('schedule-change', 'schedule-change', [CompletionResultType]::ParameterValue, 'Provision TRUS for a window, then revert and verify; survives interruption')
            [CompletionResult]::new('changes', 'changes', [CompletionResultType]::ParameterValue, 'Scheduled changes recorded on this machine: list, resume, extend, cancel')
            [CompletionResult]::new('autopilot', 'autopilot', [CompletionResultType]::ParameterValue, 'Raise capacity when a namespace throttles, give it back when calm')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Price each namespace''s Prometheus history under every capacity it could have had')
            [CompletionResult]::new('dev-server', 'dev-server', [CompletionResultType]::ParameterValue, 'Serve a local emulator of the Cloud Ops and Metrics APIs')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write the manual pages into a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tcap;analyze' {
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Only namespaces matching this glob (ID or name part); repeatable')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out namespaces matching this glob (ID or name part); repeatable')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Cloud Ops requests in flight at once')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Cloud Ops requests per second at most; a 429 slows the run below it for a while (Temporal allows 80 per service account, 40 per user)')
            [CompletionResult]::new('--target-utilization', '--target-utilization', [CompletionResultType]::ParameterName, 'Share of the limit a namespace should use at its 7-day p99, in (0, 1]')
            [CompletionResult]::new('--max-metrics-calls', '--max-metrics-calls', [CompletionResultType]::ParameterName, 'Metrics API requests this run may spend, retries included (the account has 180 an hour, shared with its other scrapers); a cut answer is read again in parts within it')
            [CompletionResult]::new('--price-per-million-actions', '--price-per-million-actions', [CompletionResultType]::ParameterName, 'Dollars per million actions for the cost figures [default: 50, the list price]')
            [CompletionResult]::new('--slack-webhook-url', '--slack-webhook-url', [CompletionResultType]::ParameterName, 'Slack incoming-webhook URL for alerts and summaries; it is a secret, never printed')
            [CompletionResult]::new('--prometheus', '--prometheus', [CompletionResultType]::ParameterName, 'Base URL of a Prometheus-compatible server scraping Temporal Cloud''s metrics (/api/v1/query_range is appended) [env: TCAP_PROMETHEUS_URL]')
            [CompletionResult]::new('--prometheus-token-file', '--prometheus-token-file', [CompletionResultType]::ParameterName, 'File holding a bearer token for that server, sent only over HTTPS or to loopback')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]')
            [CompletionResult]::new('--metrics-api-key-file', '--metrics-api-key-file', [CompletionResultType]::ParameterName, 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]')
            [CompletionResult]::new('--cloud-ops-url', '--cloud-ops-url', [CompletionResultType]::ParameterName, 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Value of the temporal-cloud-api-version header [default: v0.19.1]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors; NO_COLOR is honoured [default: auto]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]')
            [CompletionResult]::new('--notify', '--notify', [CompletionResultType]::ParameterName, 'Post a summary of the namespaces whose action is not `keep` to Slack')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against a built-in emulated account: no key, no network')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars (they are drawn only when stderr is a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'tcap;provision' {
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long to wait for the change to apply')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]')
            [CompletionResult]::new('--metrics-api-key-file', '--metrics-api-key-file', [CompletionResultType]::ParameterName, 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]')
            [CompletionResult]::new('--cloud-ops-url', '--cloud-ops-url', [CompletionResultType]::ParameterName, 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Value of the temporal-cloud-api-version header [default: v0.19.1]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors; NO_COLOR is honoured [default: auto]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the planned change and send nothing')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return once the change is accepted, without waiting for it to apply')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against a built-in emulated account: no key, no network')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars (they are drawn only when stderr is a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'tcap;revert' {
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long to wait for the change to apply')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]')
            [CompletionResult]::new('--metrics-api-key-file', '--metrics-api-key-file', [CompletionResultType]::ParameterName, 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]')
            [CompletionResult]::new('--cloud-ops-url', '--cloud-ops-url', [CompletionResultType]::ParameterName, 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Value of the temporal-cloud-api-version header [default: v0.19.1]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors; NO_COLOR is honoured [default: auto]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the planned change and send nothing')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return once the change is accepted, without waiting for it to apply')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against a built-in emulated account: no key, no network')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars (they are drawn only when stderr is a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'tcap;verify' {
            [CompletionResult]::new('--trus', '--trus', [CompletionResultType]::ParameterName, 'Expect Provisioned Capacity of N TRUs')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Poll until it matches or this much time has passed')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]')
            [CompletionResult]::new('--metrics-api-key-file', '--metrics-api-key-file', [CompletionResultType]::ParameterName, 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]')
            [CompletionResult]::new('--cloud-ops-url', '--cloud-ops-url', [CompletionResultType]::ParameterName, 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Value of the temporal-cloud-api-version header [default: v0.19.1]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors; NO_COLOR is honoured [default: auto]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]')
            [CompletionResult]::new('--on-demand', '--on-demand', [CompletionResultType]::ParameterName, 'Expect On-Demand capacity')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against a built-in emulated account: no key, no network')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars (they are drawn only when stderr is a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'tcap;schedule-change' {
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'An event file: several namespaces over one window, each flat or on a ramp')
            [CompletionResult]::new('--max-concurrent-changes', '--max-concurrent-changes', [CompletionResultType]::ParameterName, 'With --file: at most this many of the event''s capacity changes in flight at once (Temporal allows an account 10 concurrent async operations)')
            [CompletionResult]::new('--price-per-million-actions', '--price-per-million-actions', [CompletionResultType]::ParameterName, 'Dollars per million actions for the dry run''s figures [default: 50, the list price]')
            [CompletionResult]::new('--start-time', '--start-time', [CompletionResultType]::ParameterName, 'When to provision: RFC 3339 or local ''YYYY-MM-DD HH:MM'' [default: now]')
            [CompletionResult]::new('--end-time', '--end-time', [CompletionResultType]::ParameterName, 'When to revert: RFC 3339 or local ''YYYY-MM-DD HH:MM'' (no end: a permanent change)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'How long the window lasts from its start, e.g. 4h')
            [CompletionResult]::new('--revert-to', '--revert-to', [CompletionResultType]::ParameterName, 'What to revert to at the end')
            [CompletionResult]::new('--slack-webhook-url', '--slack-webhook-url', [CompletionResultType]::ParameterName, 'Slack incoming-webhook URL for alerts and summaries; it is a secret, never printed')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each capacity change to apply')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]')
            [CompletionResult]::new('--metrics-api-key-file', '--metrics-api-key-file', [CompletionResultType]::ParameterName, 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]')
            [CompletionResult]::new('--cloud-ops-url', '--cloud-ops-url', [CompletionResultType]::ParameterName, 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Value of the temporal-cloud-api-version header [default: v0.19.1]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors; NO_COLOR is honoured [default: auto]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and each calendar hour''s TRU minimum; send nothing, write no state file')
            [CompletionResult]::new('--allow-subhour-steps', '--allow-subhour-steps', [CompletionResultType]::ParameterName, 'Allow an event''s steps less than an hour apart (TRUs are adjusted and billed hourly)')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against a built-in emulated account: no key, no network')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars (they are drawn only when stderr is a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'tcap;changes' {
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]')
            [CompletionResult]::new('--metrics-api-key-file', '--metrics-api-key-file', [CompletionResultType]::ParameterName, 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]')
            [CompletionResult]::new('--cloud-ops-url', '--cloud-ops-url', [CompletionResultType]::ParameterName, 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Value of the temporal-cloud-api-version header [default: v0.19.1]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors; NO_COLOR is honoured [default: auto]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against a built-in emulated account: no key, no network')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars (they are drawn only when stderr is a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every recorded change: namespace, plan, step, running or interrupted')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Resume interrupted changes (for example from cron @reboot)')
            [CompletionResult]::new('extend', 'extend', [CompletionResultType]::ParameterValue, 'Move the end time of a change; a running change picks it up within seconds')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Stop a change; with --revert-now, revert it at once')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tcap;changes;list' {
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]')
            [CompletionResult]::new('--metrics-api-key-file', '--metrics-api-key-file', [CompletionResultType]::ParameterName, 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]')
            [CompletionResult]::new('--cloud-ops-url', '--cloud-ops-url', [CompletionResultType]::ParameterName, 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Value of the temporal-cloud-api-version header [default: v0.19.1]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors; NO_COLOR is honoured [default: auto]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against a built-in emulated account: no key, no network')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars (they are drawn only when stderr is a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'tcap;changes;resume' {
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'The event (from `schedule-change --file`) to resume')
            [CompletionResult]::new('--max-concurrent-changes', '--max-concurrent-changes', [CompletionResultType]::ParameterName, 'At most this many capacity changes in flight at once (Temporal allows an account 10 concurrent async operations, shared with everything else on it)')
            [CompletionResult]::new('--slack-webhook-url', '--slack-webhook-url', [CompletionResultType]::ParameterName, 'Slack incoming-webhook URL for alerts and summaries; it is a secret, never printed')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each capacity change to apply')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]')
            [CompletionResult]::new('--metrics-api-key-file', '--metrics-api-key-file', [CompletionResultType]::ParameterName, 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]')
            [CompletionResult]::new('--cloud-ops-url', '--cloud-ops-url', [CompletionResultType]::ParameterName, 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Value of the temporal-cloud-api-version header [default: v0.19.1]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors; NO_COLOR is honoured [default: auto]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every unfinished change and event no other process is running (those are skipped and listed)')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against a built-in emulated account: no key, no network')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars (they are drawn only when stderr is a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'tcap;changes;extend' {
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'The event (from `schedule-change --file`) whose end to move')
            [CompletionResult]::new('--end-time', '--end-time', [CompletionResultType]::ParameterName, 'The new end time: RFC 3339 or local ''YYYY-MM-DD HH:MM''')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'The window''s new length from its recorded start, e.g. 6h (as in schedule-change)')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]')
            [CompletionResult]::new('--metrics-api-key-file', '--metrics-api-key-file', [CompletionResultType]::ParameterName, 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]')
            [CompletionResult]::new('--cloud-ops-url', '--cloud-ops-url', [CompletionResultType]::ParameterName, 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Value of the temporal-cloud-api-version header [default: v0.19.1]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors; NO_COLOR is honoured [default: auto]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against a built-in emulated account: no key, no network')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars (they are drawn only when stderr is a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'tcap;changes;cancel' {
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'The event (from `schedule-change --file`) to stop')
            [CompletionResult]::new('--slack-webhook-url', '--slack-webhook-url', [CompletionResultType]::ParameterName, 'Slack incoming-webhook URL for alerts and summaries; it is a secret, never printed')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each capacity change to apply')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]')
            [CompletionResult]::new('--metrics-api-key-file', '--metrics-api-key-file', [CompletionResultType]::ParameterName, 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]')
            [CompletionResult]::new('--cloud-ops-url', '--cloud-ops-url', [CompletionResultType]::ParameterName, 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Value of the temporal-cloud-api-version header [default: v0.19.1]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors; NO_COLOR is honoured [default: auto]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]')
            [CompletionResult]::new('--revert-now', '--revert-now', [CompletionResultType]::ParameterName, 'Revert the namespace now instead of leaving its capacity as it is')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against a built-in emulated account: no key, no network')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars (they are drawn only when stderr is a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'tcap;changes;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every recorded change: namespace, plan, step, running or interrupted')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Resume interrupted changes (for example from cron @reboot)')
            [CompletionResult]::new('extend', 'extend', [CompletionResultType]::ParameterValue, 'Move the end time of a change; a running change picks it up within seconds')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Stop a change; with --revert-now, revert it at once')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tcap;changes;help;list' {
            break
        }
        'tcap;changes;help;resume' {
            break
        }
        'tcap;changes;help;extend' {
            break
        }
        'tcap;changes;help;cancel' {
            break
        }
        'tcap;changes;help;help' {
            break
        }
        'tcap;autopilot' {
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespaces to look after, by glob on the ID or its name part; repeatable; ''*'' is all')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out namespaces matching this glob; repeatable')
            [CompletionResult]::new('--max-trus', '--max-trus', [CompletionResultType]::ParameterName, 'Never raise a namespace above this many TRUs')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'How often a metrics window is read (each read is one Metrics API call, none with --prometheus)')
            [CompletionResult]::new('--scale-up-at', '--scale-up-at', [CompletionResultType]::ParameterName, 'Raise when the binding dimension''s utilization reaches this (any throttling also raises)')
            [CompletionResult]::new('--scale-down-below', '--scale-down-below', [CompletionResultType]::ParameterName, 'A namespace below this utilization, not throttled, is calm')
            [CompletionResult]::new('--calm-for', '--calm-for', [CompletionResultType]::ParameterName, 'How long a namespace must stay calm before what autopilot raised is lowered')
            [CompletionResult]::new('--min-hold', '--min-hold', [CompletionResultType]::ParameterName, 'Never lower within this long of a raise (an hour is billed at its highest TRU value)')
            [CompletionResult]::new('--target-utilization', '--target-utilization', [CompletionResultType]::ParameterName, 'Share of the limit the demand should use after a raise, in (0, 1]')
            [CompletionResult]::new('--max-hourly-cost', '--max-hourly-cost', [CompletionResultType]::ParameterName, 'Dollars an hour autopilot''s extra TRUs may add at most, summed over what it holds')
            [CompletionResult]::new('--price-per-million-actions', '--price-per-million-actions', [CompletionResultType]::ParameterName, 'Dollars per million actions for the cost cap [default: 50, the list price]')
            [CompletionResult]::new('--max-metrics-calls-per-hour', '--max-metrics-calls-per-hour', [CompletionResultType]::ParameterName, 'Metrics API calls an hour autopilot may spend (the account has 180, shared with its scrapers); an --interval that needs more is refused')
            [CompletionResult]::new('--max-concurrent-changes', '--max-concurrent-changes', [CompletionResultType]::ParameterName, 'At most this many capacity changes in flight at once (Temporal allows an account 10 concurrent async operations)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Which autopilot: each name has its own state file and lock')
            [CompletionResult]::new('--prometheus', '--prometheus', [CompletionResultType]::ParameterName, 'Base URL of a Prometheus-compatible server scraping Temporal Cloud''s metrics (/api/v1/query_range is appended) [env: TCAP_PROMETHEUS_URL]')
            [CompletionResult]::new('--prometheus-token-file', '--prometheus-token-file', [CompletionResultType]::ParameterName, 'File holding a bearer token for that server, sent only over HTTPS or to loopback')
            [CompletionResult]::new('--slack-webhook-url', '--slack-webhook-url', [CompletionResultType]::ParameterName, 'Slack incoming-webhook URL for alerts and summaries; it is a secret, never printed')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each capacity change to apply')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]')
            [CompletionResult]::new('--metrics-api-key-file', '--metrics-api-key-file', [CompletionResultType]::ParameterName, 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]')
            [CompletionResult]::new('--cloud-ops-url', '--cloud-ops-url', [CompletionResultType]::ParameterName, 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Value of the temporal-cloud-api-version header [default: v0.19.1]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors; NO_COLOR is honoured [default: auto]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Decide and report, change nothing (no state file is written)')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'One tick, then exit (0 done, 1 a change failed, 75 the tick could not run)')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Lower everything this autopilot holds back to its baselines, verified, and forget it')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against a built-in emulated account: no key, no network')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars (they are drawn only when stderr is a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'tcap;plan' {
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Only namespaces matching this glob (ID or name part); repeatable')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out namespaces matching this glob (ID or name part); repeatable')
            [CompletionResult]::new('--prometheus', '--prometheus', [CompletionResultType]::ParameterName, 'Base URL of a Prometheus-compatible server scraping Temporal Cloud''s metrics (/api/v1/query_range is appended) [env: TCAP_PROMETHEUS_URL]')
            [CompletionResult]::new('--prometheus-token-file', '--prometheus-token-file', [CompletionResultType]::ParameterName, 'File holding a bearer token for that server, sent only over HTTPS or to loopback')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'How far back to read, ending at the last whole hour')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'Time zone of the schedule''s windows and of dates, e.g. Europe/Berlin')
            [CompletionResult]::new('--max-throttled', '--max-throttled', [CompletionResultType]::ParameterName, 'Throttled actions per 30 days a plan may cause')
            [CompletionResult]::new('--horizon', '--horizon', [CompletionResultType]::ParameterName, 'How far ahead a growth trend is followed to the limit')
            [CompletionResult]::new('--price-per-million-actions', '--price-per-million-actions', [CompletionResultType]::ParameterName, 'Dollars per million actions [default: 50, the list price]')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]')
            [CompletionResult]::new('--metrics-api-key-file', '--metrics-api-key-file', [CompletionResultType]::ParameterName, 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]')
            [CompletionResult]::new('--cloud-ops-url', '--cloud-ops-url', [CompletionResultType]::ParameterName, 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Value of the temporal-cloud-api-version header [default: v0.19.1]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors; NO_COLOR is honoured [default: auto]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against a built-in emulated account: no key, no network')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars (they are drawn only when stderr is a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'tcap;dev-server' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on (port 0 picks a free port)')
            [CompletionResult]::new('--namespaces', '--namespaces', [CompletionResultType]::ParameterName, 'Namespaces in the generated account')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the generated account and of injected faults')
            [CompletionResult]::new('--latency', '--latency', [CompletionResultType]::ParameterName, 'Delay added to every response, e.g. 100ms')
            [CompletionResult]::new('--apply-delay', '--apply-delay', [CompletionResultType]::ParameterName, 'How long a capacity change takes to apply, in emulated time [default: 20s, or 2m with --load]')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Cloud Ops requests per second above which the server answers 429')
            [CompletionResult]::new('--fault-rate', '--fault-rate', [CompletionResultType]::ParameterName, 'Share of requests that get an injected fault (429, 503, dropped connection, a cut-off or malformed body, an answer slower than the client''s 30 s timeout)')
            [CompletionResult]::new('--silent-namespaces', '--silent-namespaces', [CompletionResultType]::ParameterName, 'Provisioned-idle namespaces that send no metric series at all (idle the whole window)')
            [CompletionResult]::new('--max-concurrent-operations', '--max-concurrent-operations', [CompletionResultType]::ParameterName, 'Capacity changes in flight at once across the account; one more answers 429 (Temporal documents 10)')
            [CompletionResult]::new('--load', '--load', [CompletionResultType]::ParameterName, 'Replay a per-minute load profile (CSV: minute,namespace,aps[,rps[,ops]]; minutes count from 00:00 UTC): the account is its namespaces, all On-Demand, with 7 days of history seeded from it; GET /_dev/ledger tells what was served, throttled and billed')
            [CompletionResult]::new('--clock-speed', '--clock-speed', [CompletionResultType]::ParameterName, 'Emulated seconds per real second (0 < K <= 1000). Above about 60, tcap''s 1-second polling floor distorts a replay: it polls less than once an emulated minute, so it misses minutes of metrics and reacts late')
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]')
            [CompletionResult]::new('--metrics-api-key-file', '--metrics-api-key-file', [CompletionResultType]::ParameterName, 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]')
            [CompletionResult]::new('--cloud-ops-url', '--cloud-ops-url', [CompletionResultType]::ParameterName, 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Value of the temporal-cloud-api-version header [default: v0.19.1]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors; NO_COLOR is honoured [default: auto]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]')
            [CompletionResult]::new('--bare-namespace-labels', '--bare-namespace-labels', [CompletionResultType]::ParameterName, 'Label metrics with the bare namespace name (`payments-prod`) instead of the full ID')
            [CompletionResult]::new('--stale-version-400', '--stale-version-400', [CompletionResultType]::ParameterName, 'Refuse a stale resourceVersion with 400 FailedPrecondition instead of 409 Aborted (the real service''s answer is not documented)')
            [CompletionResult]::new('--check-version-first', '--check-version-first', [CompletionResultType]::ParameterName, 'Check resourceVersion before asyncOperationId, so a retried update is refused as stale')
            [CompletionResult]::new('--one-change-per-hour', '--one-change-per-hour', [CompletionResultType]::ParameterName, 'Refuse a capacity change within an emulated hour of the namespace''s previous one (400 FailedPrecondition); whether Temporal enforces this is not documented')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against a built-in emulated account: no key, no network')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars (they are drawn only when stderr is a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'tcap;completions' {
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]')
            [CompletionResult]::new('--metrics-api-key-file', '--metrics-api-key-file', [CompletionResultType]::ParameterName, 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]')
            [CompletionResult]::new('--cloud-ops-url', '--cloud-ops-url', [CompletionResultType]::ParameterName, 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Value of the temporal-cloud-api-version header [default: v0.19.1]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors; NO_COLOR is honoured [default: auto]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against a built-in emulated account: no key, no network')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars (they are drawn only when stderr is a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'tcap;man' {
            [CompletionResult]::new('--api-key-file', '--api-key-file', [CompletionResultType]::ParameterName, 'File holding the Cloud Ops API key (''-'' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]')
            [CompletionResult]::new('--metrics-api-key-file', '--metrics-api-key-file', [CompletionResultType]::ParameterName, 'File holding the Metrics API key (''-'' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]')
            [CompletionResult]::new('--cloud-ops-url', '--cloud-ops-url', [CompletionResultType]::ParameterName, 'Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]')
            [CompletionResult]::new('--metrics-url', '--metrics-url', [CompletionResultType]::ParameterName, 'Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Value of the temporal-cloud-api-version header [default: v0.19.1]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: json works for every command, csv for analyze, html for analyze and plan, cron for plan [default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors; NO_COLOR is honoured [default: auto]')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against a built-in emulated account: no key, no network')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only errors on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log lines on stderr (repeat for more); RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars (they are drawn only when stderr is a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'tcap;help' {
            [CompletionResult]::new('analyze', 'analyze', [CompletionResultType]::ParameterValue, 'Recommend a capacity mode and TRUs for every namespace')
            [CompletionResult]::new('provision', 'provision', [CompletionResultType]::ParameterValue, 'Set Provisioned Capacity of TRUS, and wait until it is in force')
            [CompletionResult]::new('revert', 'revert', [CompletionResultType]::ParameterValue, 'Return to On-Demand capacity, and wait until it is in force')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check that a namespace has the expected capacity (exit 3 when not)')
            [CompletionResult]::new('schedule-change', 'schedule-change', [CompletionResultType]::ParameterValue, 'Provision TRUS for a window, then revert and verify; survives interruption')
            [CompletionResult]::new('changes', 'changes', [CompletionResultType]::ParameterValue, 'Scheduled changes recorded on this machine: list, resume, extend, cancel')
            [CompletionResult]::new('autopilot', 'autopilot', [CompletionResultType]::ParameterValue, 'Raise capacity when a namespace throttles, give it back when calm')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Price each namespace''s Prometheus history under every capacity it could have had')
            [CompletionResult]::new('dev-server', 'dev-server', [CompletionResultType]::ParameterValue, 'Serve a local emulator of the Cloud Ops and Metrics APIs')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write the manual pages into a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'tcap;help;analyze' {
            break
        }
        'tcap;help;provision' {
            break
        }
        'tcap;help;revert' {
            break
        }
        'tcap;help;verify' {
            break
        }
        'tcap;help;schedule-change' {
            break
        }
        'tcap;help;changes' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every recorded change: namespace, plan, step, running or interrupted')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Resume interrupted changes (for example from cron @reboot)')
            [CompletionResult]::new('extend', 'extend', [CompletionResultType]::ParameterValue, 'Move the end time of a change; a running change picks it up within seconds')
            [CompletionResult]::new('cancel', 'cancel', [CompletionResultType]::ParameterValue, 'Stop a change; with --revert-now, revert it at once')
            break
        }
        'tcap;help;changes;list' {
            break
        }
        'tcap;help;changes;resume' {
            break
        }
        'tcap;help;changes;extend' {
            break
        }
        'tcap;help;changes;cancel' {
            break
        }
        'tcap;help;autopilot' {
            break
        }
        'tcap;help;plan' {
            break
        }
        'tcap;help;dev-server' {
            break
        }
        'tcap;help;completions' {
            break
        }
        'tcap;help;man' {
            break
        }
        'tcap;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
