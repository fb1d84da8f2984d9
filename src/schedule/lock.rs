//! One run per namespace: an advisory lock on `<namespace>.lock`, holding the owner's PID.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Held for as long as the value lives; the OS releases it if the process dies.
#[derive(Debug)]
pub struct Lock {
    _file: File,
    pub path: PathBuf,
}

pub fn lock_path(dir: &Path, namespace: &str) -> PathBuf {
    dir.join(format!("{namespace}.lock"))
}

pub fn acquire(path: &Path, namespace: &str) -> Result<Lock> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let pid = holder(&mut file).map_or("unknown".to_string(), |p| p.to_string());
            return Err(Error::Locked {
                namespace: namespace.to_string(),
                pid,
            });
        }
        Err(TryLockError::Error(e)) => {
            return Err(Error::io(format!("locking {}", path.display()), e));
        }
    }
    let pid = std::process::id().to_string();
    let written = file
        .set_len(0)
        .and_then(|_| file.rewind())
        .and_then(|_| file.write_all(pid.as_bytes()))
        .and_then(|_| file.sync_all());
    written.map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    Ok(Lock {
        _file: file,
        path: path.to_path_buf(),
    })
}

/// The PID of the process holding the lock, if one does.
pub fn running_pid(path: &Path) -> Option<u32> {
    let mut file = OpenOptions::new().read(true).write(true).open(path).ok()?;
    match file.try_lock() {
        Ok(()) => None,
        Err(TryLockError::WouldBlock) => Some(holder(&mut file).unwrap_or(0)),
        Err(TryLockError::Error(_)) => None,
    }
}

fn holder(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_naming_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let path = lock_path(dir.path(), "x.y");
        let first = acquire(&path, "x.y").unwrap();
        let err = acquire(&path, "x.y").unwrap_err();
        assert_eq!(err.exit_code(), 75);
        assert!(
            err.to_string()
                .contains(&format!("PID {}", std::process::id())),
            "{err}"
        );
        assert_eq!(running_pid(&path), Some(std::process::id()));
        drop(first);
        assert_eq!(running_pid(&path), None);
        assert!(acquire(&path, "x.y").is_ok());
    }
}
