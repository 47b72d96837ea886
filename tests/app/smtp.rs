//! A real SMTP server for the tests that send email: Debian's aiosmtpd on a free port,
//! whose handler writes each message it receives as JSON (envelope, decoded subject and
//! body) into a folder.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Debian's aiosmtpd on a free port, with a handler that writes each message it
/// receives as JSON (envelope, decoded subject and body) into a folder.
pub struct SmtpServer {
    child: Child,
    port: u16,
    inbox: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Err(e) = self.child.kill() {
            eprintln!("cannot stop aiosmtpd: {e}");
        }
        if let Err(e) = self.child.wait() {
            eprintln!("cannot reap aiosmtpd: {e}");
        }
    }
}

const HANDLER: &str = r#"
import email, email.policy, json, os, uuid

class Save:
    def __init__(self, folder):
        self.folder = folder

    @classmethod
    def from_cli(cls, parser, *args):
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(msg["from"]),
            "to": str(msg["to"]),
            "subject": str(msg["subject"]),
            "content_type": msg.get_content_type(),
            "body": msg.get_content(),
        }
        path = os.path.join(self.folder, uuid.uuid4().hex + ".json")
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)
        return "250 Message accepted for delivery"
"#;

/// Debian's python (pyenv's may lack the package).
fn python() -> &'static str {
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

pub fn aiosmtpd_installed() -> bool {
    Command::new(python())
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("duta_test_smtp.py"), HANDLER).unwrap();
        let inbox = dir.path().join("inbox");
        std::fs::create_dir(&inbox).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "duta_test_smtp.Save"])
            .arg(&inbox)
            .env("PYTHONPATH", dir.path())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let server = SmtpServer {
            child,
            port,
            inbox,
            _dir: dir,
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("aiosmtpd did not start on port {port}");
    }

    /// The messages received so far, oldest first by arrival.
    pub async fn wait_for(&self, n: usize) -> Vec<serde_json::Value> {
        for _ in 0..100 {
            let mut files: Vec<_> = std::fs::read_dir(&self.inbox)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            if files.len() >= n {
                files.sort_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap());
                return files
                    .iter()
                    .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
                    .collect();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("aiosmtpd received fewer than {n} messages");
    }
}

impl SmtpServer {
    /// The `smtp` configuration that sends to this server.
    pub fn config(&self) -> serde_json::Value {
        serde_json::json!({
            "host": "127.0.0.1",
            "port": self.port,
            "tls": "none",
            "from": "Humas Uji <duta@uji.go.id>",
            "public_url": "https://duta.uji.go.id",
            "timeout_secs": 10,
        })
    }

    /// The messages received so far, oldest first; without waiting.
    pub fn received(&self) -> Vec<serde_json::Value> {
        let mut files: Vec<_> = std::fs::read_dir(&self.inbox)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap());
        files
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
            .collect()
    }
}

/// Says why a test that needs aiosmtpd did nothing; true when it is missing.
pub fn skip_without_aiosmtpd() -> bool {
    if aiosmtpd_installed() {
        return false;
    }
    eprintln!("SKIPPED: python3-aiosmtpd is not installed (apt-get install -y python3-aiosmtpd)");
    true
}
