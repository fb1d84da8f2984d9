//! The committed completions and manual pages must equal what the binary generates now.
//! `TCAP_UPDATE_GENERATED=1 cargo test --test it generated` rewrites them.

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

fn sync(dir: &Path, fresh: &BTreeMap<String, Vec<u8>>) {
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
