//! The binary as the xtask and the end-to-end tests start it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Kills the server even when an assertion fails.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn prints_the_real_address_and_serves_it() {
    let data_dir = std::env::temp_dir().join(format!("ta-server-cli-{}", std::process::id()));
    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_tracker-attachments-server"))
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(&data_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("no address printed");

    let address = line
        .trim_end()
        .strip_prefix("listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    let port: u16 = address.parse().unwrap();
    assert_ne!(port, 0);

    let response = reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "ok");
    assert!(data_dir.join("meta.sqlite3").exists());

    drop(child);
    let _ = std::fs::remove_dir_all(&data_dir);
}
