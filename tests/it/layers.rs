//! The house points one way: a module may import from its own layer or the ones below, never
//! from one above. This is the one list of the layers; `src/lib.rs` describes it.
//!
//! Read from the source: every `crate::` path (in `use` lines and inline), with `crate::{a, b}`
//! groups taken apart, and a command's `super::` imports of its siblings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Top to bottom. Modules on one line are one layer and may import each other.
const LAYERS: &[&[&str]] = &[
    &["lib", "main", "cli"],
    &["commands"],
    &["autopilot", "schedule"],
    &["apply"],
    &["alert", "history"],
    &["capacity"],
    &["cloud"],
    &[
        "settings",
        "output",
        "secret",
        "interrupt",
        "timing",
        "error",
    ],
];

/// Imports nothing else of the crate: an emulator that shared the client's types would share
/// its mistakes.
const ISOLATED: &str = "devserver";

/// `commands/` modules that several commands share; a command imports these, never a sibling.
const SHARED_COMMAND_MODULES: &[&str] = &[
    "change_report",
    "report",
    "scheduled",
    "event_run",
    "slack",
    "demo",
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level module a file belongs to: `src/cloud/http.rs` → `cloud`, `src/lib.rs` → `lib`.
fn module_of(relative: &Path) -> String {
    let first = relative.components().next().unwrap().as_os_str();
    Path::new(first)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// The top-level modules a file names after `crate::`, with the line each is on.
fn crate_imports(source: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut in_group = false;
    for (number, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        if in_group {
            // Inside `use crate::{ ... }`: each top-level item is a module.
            for item in code.split(',') {
                let name: String = item
                    .trim()
                    .trim_start_matches('{')
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push((number + 1, name));
                }
            }
            if code.contains("};") {
                in_group = false;
            }
            continue;
        }
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                for item in group.split(&[',', '}'][..]) {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        found.push((number + 1, name));
                    }
                }
                in_group = !group.contains('}');
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                found.push((number + 1, name));
            }
        }
    }
    found
}

/// Every import that breaks the rules, one line each, for files given as (path under `src/`,
/// source).
fn violations(files: &BTreeMap<PathBuf, String>) -> Vec<String> {
    let mut bad = Vec::new();
    for (path, source) in files {
        let module = module_of(path);
        let imports = crate_imports(source);
        if module == ISOLATED {
            for (line, target) in &imports {
                bad.push(format!(
                    "{}:{line}: {ISOLATED} imports crate::{target}; it must import nothing else of the crate",
                    path.display()
                ));
            }
            continue;
        }
        let Some(own) = layer_of(&module) else {
            bad.push(format!(
                "{}: module {module} is in no layer; add it to LAYERS in tests/it/layers.rs",
                path.display()
            ));
            continue;
        };
        for (line, target) in &imports {
            if target == ISOLATED {
                if module != "commands" {
                    bad.push(format!(
                        "{}:{line}: only commands start the emulator, not {module}",
                        path.display()
                    ));
                }
                continue;
            }
            match layer_of(target) {
                Some(theirs) if theirs < own => bad.push(format!(
                    "{}:{line}: {module} imports crate::{target}, which is above it",
                    path.display()
                )),
                Some(_) => {}
                None => bad.push(format!(
                    "{}:{line}: crate::{target} is in no layer",
                    path.display()
                )),
            }
        }
        if module == "commands" {
            bad.extend(sibling_imports(path, source));
        }
    }
    bad
}

/// A command that borrows from another command instead of from a shared module.
fn sibling_imports(path: &Path, source: &str) -> Vec<String> {
    let this = path.file_stem().unwrap().to_string_lossy().into_owned();
    let mut bad = Vec::new();
    for (number, line) in source.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        for prefix in ["super::", "crate::commands::"] {
            let mut rest = code;
            while let Some(at) = rest.find(prefix) {
                rest = &rest[at + prefix.len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let is_module = rest[name.len()..].starts_with("::");
                if this != "mod"
                    && is_module
                    && name != this
                    && !SHARED_COMMAND_MODULES.contains(&name.as_str())
                {
                    bad.push(format!(
                        "{}:{}: the {this} command imports the {name} command; share it through a commands/ module of its own",
                        path.display(),
                        number + 1
                    ));
                }
            }
        }
    }
    bad
}

fn sources(dir: &Path, root: &Path, out: &mut BTreeMap<PathBuf, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.insert(path.strip_prefix(root).unwrap().to_path_buf(), text);
        }
    }
}

#[test]
fn imports_only_point_down() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    sources(&root, &root, &mut files);
    assert!(files.len() > 20, "read {} files", files.len());
    let bad = violations(&files);
    assert!(bad.is_empty(), "imports that point up:\n{}", bad.join("\n"));
}

#[test]
fn the_check_catches_each_kind_of_upward_import() {
    let case = |path: &str, source: &str| {
        let files = BTreeMap::from([(PathBuf::from(path), source.to_string())]);
        violations(&files)
    };
    // What the code held before the layers were enforced.
    assert_eq!(
        case("settings.rs", "use crate::cli::{ColorWhen, GlobalArgs};\n").len(),
        1
    );
    assert_eq!(
        case(
            "capacity/change.rs",
            "    #[serde(serialize_with = \"crate::output::opt_num\")]\nuse crate::cloud::ops::OpsClient;\n"
        ),
        Vec::<String>::new(),
        "downward imports are fine"
    );
    assert_eq!(
        case(
            "cloud/ops.rs",
            "use crate::{error::ApiError, capacity::Mode};\n"
        )
        .len(),
        1,
        "groups are taken apart"
    );
    assert_eq!(
        case(
            "cloud/ops.rs",
            "use crate::{\n    error::ApiError,\n    apply::submit,\n};\n"
        )
        .len(),
        1,
        "over several lines too"
    );
    assert_eq!(
        case(
            "schedule/mod.rs",
            "let x = crate::commands::Context::new();\n"
        )
        .len(),
        1,
        "inline paths count"
    );
    assert_eq!(
        case(
            "commands/verify.rs",
            "use super::provision::{ChangeReport, finish};\n"
        )
        .len(),
        1,
        "a command does not borrow from a sibling"
    );
    assert!(
        case(
            "commands/verify.rs",
            "use super::change_report::finish;\nuse super::Context;\n"
        )
        .is_empty()
    );
    assert_eq!(
        case("devserver/account.rs", "use crate::error::Error;\n").len(),
        1,
        "the emulator stands alone"
    );
    assert_eq!(case("alert.rs", "use crate::devserver::Config;\n").len(), 1);
    assert_eq!(case("newthing.rs", "").len(), 1, "every module has a layer");
    // Comments are not imports.
    assert!(case("error.rs", "// see crate::cli::Cli\n").is_empty());
}

/// `capacity/` decides on values: it may read `cloud/`'s wire types, but no client, clock,
/// sleep or printer.
fn impurities(files: &BTreeMap<PathBuf, String>) -> Vec<String> {
    const FORBIDDEN: &[&str] = &[
        "crate::cloud::ops",
        "crate::cloud::metrics::MetricsClient",
        "crate::cloud::http",
        "crate::cloud::pace",
        "crate::cloud::retry",
        "crate::output::Printer",
        "crate::timing",
        "tokio::",
        "reqwest",
        "Utc::now",
        "Local::now",
        "Instant::now",
        "SystemTime",
        "thread::sleep",
        "println!",
        "eprintln!",
        "std::fs",
        "std::env",
    ];
    let mut bad = Vec::new();
    for (path, source) in files {
        if module_of(path) != "capacity" {
            continue;
        }
        // Tests may use what they like.
        let code = source.split("#[cfg(test)]").next().unwrap_or("");
        for (number, line) in code.lines().enumerate() {
            let line = line.split("//").next().unwrap_or("");
            for word in FORBIDDEN {
                if line.contains(word) {
                    bad.push(format!(
                        "{}:{}: the pure core uses {word}",
                        path.display(),
                        number + 1
                    ));
                }
            }
        }
    }
    bad
}

#[test]
fn the_capacity_core_is_pure() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    sources(&root, &root, &mut files);
    let bad = impurities(&files);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    let before = BTreeMap::from([(
        PathBuf::from("capacity/change.rs"),
        "use crate::cloud::ops::{OpsClient, WaitError};\nuse tokio::time::Instant;\n".to_string(),
    )]);
    assert_eq!(impurities(&before).len(), 2);
}
