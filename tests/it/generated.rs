//! The committed completions, manual pages and help texts must equal what the binary generates
//! now. `TCAP_UPDATE_GENERATED=1 cargo test --test it generated` rewrites them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const SHELLS: &[(&str, &str)] = &[
    ("bash", "tcap.bash"),
    ("zsh", "_tcap"),
    ("fish", "tcap.fish"),
    ("elvish", "tcap.elv"),
    ("powershell", "_tcap.ps1"),
];

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn updating() -> bool {
    std::env::var_os("TCAP_UPDATE_GENERATED").is_some()
}

/// One committed file that must equal `fresh`: rewritten when updating, compared otherwise.
pub fn sync_file(path: &Path, fresh: &str) {
    if updating() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is out of date; run `TCAP_UPDATE_GENERATED=1 cargo test --test it` and commit.\ncommitted:\n{committed}\nnow:\n{fresh}",
        path.display()
    );
}

fn files_in(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap())
                .filter(|e| e.file_type().unwrap().is_file())
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read(e.path()).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn sync(dir: &Path, fresh: &BTreeMap<String, Vec<u8>>) {
    let committed = files_in(dir);
    if updating() {
        std::fs::create_dir_all(dir).unwrap();
        for name in committed.keys().filter(|n| !fresh.contains_key(*n)) {
            std::fs::remove_file(dir.join(name)).unwrap();
        }
        for (name, bytes) in fresh {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
        return;
    }
    let stale: Vec<&String> = fresh
        .iter()
        .filter(|(name, bytes)| committed.get(*name) != Some(*bytes))
        .map(|(name, _)| name)
        .chain(committed.keys().filter(|n| !fresh.contains_key(*n)))
        .collect();
    assert!(
        stale.is_empty(),
        "{} is out of date ({stale:?}); run `TCAP_UPDATE_GENERATED=1 cargo test --test it generated` and commit",
        dir.display()
    );
}

#[test]
fn completions_are_current() {
    let mut fresh = BTreeMap::new();
    for (shell, file) in SHELLS {
        let out = crate::common::clean_tcap()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(!out.stdout.is_empty());
        fresh.insert(file.to_string(), out.stdout);
    }
    assert!(
        String::from_utf8_lossy(&fresh["tcap.bash"]).contains("analyze"),
        "the bash script completes subcommands"
    );
    sync(&root().join("completions"), &fresh);
}

#[test]
fn man_pages_are_current() {
    let dir = tempfile::tempdir().unwrap();
    crate::common::clean_tcap()
        .arg("man")
        .arg(dir.path())
        .assert()
        .success();
    let fresh = files_in(dir.path());
    for page in [
        "tcap.1",
        "tcap-analyze.1",
        "tcap-provision.1",
        "tcap-dev-server.1",
    ] {
        assert!(
            fresh.contains_key(page),
            "{page} not generated: {:?}",
            fresh.keys()
        );
    }
    sync(&root().join("man"), &fresh);
}

/// Every page lists the exit codes, and none points at a `tcap-help(1)` that is not written.
#[test]
fn man_pages_list_exit_status_and_point_only_at_pages_that_exist() {
    let dir = tempfile::tempdir().unwrap();
    crate::common::clean_tcap()
        .arg("man")
        .arg(dir.path())
        .assert()
        .success();
    let mut pages = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let page = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(page.contains(".SH \"EXIT STATUS\""), "{name}");
        assert!(page.contains("\\fB75\\fR"), "{name}");
        for referenced in page.split_whitespace().filter(|w| w.ends_with("(1)")) {
            let file = format!(
                "{}.1",
                referenced.trim_end_matches("(1)").replace("\\-", "-")
            );
            assert!(dir.path().join(&file).exists(), "{name} points at {file}");
        }
        pages += 1;
    }
    assert!(pages >= 12, "{pages}");
}

/// Every command's path below `tcap`, `tcap` itself first; clap's `help` has no help of its own.
fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut sub_path = path.clone();
            sub_path.push(sub.get_name().to_string());
            walk(sub, sub_path, out);
        }
        out.push(path);
    }
    use clap::CommandFactory;
    let mut out = Vec::new();
    walk(&tcap::cli::Cli::command(), Vec::new(), &mut out);
    out.sort();
    out
}

/// `tcap <path> --help` at 100 columns: clap reads COLUMNS when no stream is a terminal.
fn help_of(path: &[String]) -> String {
    let out = crate::common::clean_tcap()
        .env("COLUMNS", "100")
        .args(path)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success(), "{path:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn help_texts_are_current() {
    let fresh: BTreeMap<String, Vec<u8>> = command_paths()
        .iter()
        .map(|path| {
            let name = std::iter::once("tcap")
                .chain(path.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join("-");
            (format!("{name}.txt"), help_of(path).into_bytes())
        })
        .collect();
    assert!(
        fresh.contains_key("tcap-changes-extend.txt"),
        "{:?}",
        fresh.keys()
    );
    sync(&root().join("tests/it/snapshots/help"), &fresh);
}

#[test]
fn every_help_has_examples_and_sets_the_global_options_apart() {
    for path in command_paths() {
        let help = help_of(&path);
        for heading in ["\nOptions:\n", "\nGlobal options:\n", "\nExamples:\n  "] {
            assert!(
                help.contains(heading),
                "tcap {path:?} --help lacks {heading:?}:\n{help}"
            );
        }
        // The command's own options come first, the global ones after them.
        let own = help.find("\nOptions:").unwrap();
        assert!(own < help.find("\nGlobal options:").unwrap(), "{help}");
        let options = &help[own..help.find("\nGlobal options:").unwrap()];
        for global in ["--config", "--demo", "--quiet", "--request-timeout"] {
            assert!(!options.contains(global), "{global} under Options:\n{help}");
        }
        // Examples come last, where the eye lands once the help has scrolled by.
        let examples = help.find("\nExamples:").unwrap();
        assert!(examples > help.find("\nGlobal options:").unwrap(), "{help}");
        let commands = help[examples..]
            .lines()
            .filter(|l| !l.trim_start().starts_with('#') && l.contains("tcap "))
            .count();
        assert!(commands >= 2, "tcap {path:?}: {commands} examples:\n{help}");
    }
}
