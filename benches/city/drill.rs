//! The backup drill at city scale (issue 19 part 4's timing; the correctness drill is
//! `tests/api/backup.rs`): `zhujian store backup` of the whole city, database and every object,
//! then `zhujian store restore` into a new database and storage, each timed.

use std::path::Path;
use std::time::Instant;

use crate::server;

/// Backs up the city (`url`, `storage`) into `folder/backup`, restores it into a new
/// database on `pg` with storage `folder/restored`, prints a table and removes both.
pub async fn backup_and_restore(pg: &str, url: &str, storage: &Path, folder: &Path) {
    let backup = folder.join("backup");
    let restored = folder.join("restored");
    let target = crate::postgres::scratch_database(pg).await;
    println!("\n| drill step | seconds | size |");
    println!("|---|---|---|");
    let started = Instant::now();
    let backed_up = run(server::command(storage, url).arg("store").arg("backup").arg(&backup));
    println!(
        "| store backup (pg_dump, every object copied and checked) | {:.0} | {:.2} GB |",
        started.elapsed().as_secs_f64(),
        size_of(&backup) as f64 / 1e9
    );
    let started = Instant::now();
    let put_back = run(server::command(&restored, &target)
        .arg("store")
        .arg("restore")
        .arg(&backup));
    println!(
        "| store restore (objects checked, then pg_restore) into a new database | {:.0} | {:.2} GB objects |",
        started.elapsed().as_secs_f64(),
        size_of(&restored) as f64 / 1e9
    );
    println!("\n{backed_up}\n{put_back}");
    crate::drop_database(pg, &target).await;
    let _ = std::fs::remove_dir_all(&backup);
    let _ = std::fs::remove_dir_all(&restored);
}

/// Runs `command` to success; returns what it printed.
fn run(command: &mut std::process::Command) -> String {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{:?} failed: {}",
        command,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Bytes of the files under `path` (each hard link counted: a backup's copies are separate).
fn size_of(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .map_while(Result::ok)
        .map(|entry| match entry.file_type() {
            Ok(t) if t.is_dir() => size_of(&entry.path()),
            _ => entry.metadata().map_or(0, |m| m.len()),
        })
        .sum()
}
