//! The embedded file engine (`Db::embedded_file`) keeps every write it
//! acknowledged when its process is killed without warning.
//!
//! A child process (this test binary, re-invoked to run only
//! `child_writes_and_acknowledges_until_killed`) opens the file, creates the
//! table if needed, and writes records — single saves and `put_batch`
//! chunks, many of them larger than one BatchWriteItem — printing one line
//! per record once the call that wrote it returned `Ok`. The parent reads
//! those lines and kills the child with SIGKILL at a varied point: after a
//! number of acknowledged records, after a delay from the start (sometimes
//! before the table exists, or while it is being created), or shortly after
//! the first acknowledgement (mostly in the middle of a batch). Then it
//! reopens the file and checks that the table is readable and holds every
//! record acknowledged so far, in every run, exactly as written. All runs
//! share one file, so each also reopens what the earlier kills left.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use dynamorm::prelude::*;
use serde::{Deserialize, Serialize};

use crate::support::common;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, DynaModel)]
#[dynamo(table = "durable_records", billing = "on_demand")]
struct Record {
    #[dynamo(hash_key)]
    id: String,
    run: u32,
    seq: u32,
    body: String,
}

/// The record a run writes `seq`-th: the parent rebuilds it from the line.
fn record(run: u32, seq: u32) -> Record {
    Record {
        id: format!("r{run:02}-{seq:06}"),
        run,
        seq,
        body: format!("{run}/{seq}:").repeat(1 + (seq % 13) as usize * 20),
    }
}

/// Set in the child: the file to write, the run number.
const FILE_VAR: &str = "DYNAMORM_KILL_TEST_FILE";
const RUN_VAR: &str = "DYNAMORM_KILL_TEST_RUN";
const CHILD: &str = "embedded_file_survives_a_kill::child_writes_and_acknowledges_until_killed";
const RUNS: u32 = 24;

/// Only does something when started by the parent test below.
#[tokio::test]
async fn child_writes_and_acknowledges_until_killed() {
    let (Ok(path), Ok(run)) = (std::env::var(FILE_VAR), std::env::var(RUN_VAR)) else {
        return;
    };
    let run: u32 = run.parse().expect("a run number");
    let db = Db::embedded_file(&path).await.expect("the file opens");
    Record::table(&db)
        .create_if_not_exists()
        .await
        .expect("the table is there");
    let mut rng = fastrand::Rng::with_seed(u64::from(run));
    let mut out = std::io::stdout().lock();
    let mut seq = 0;
    // Far more than a run gets to write before it is killed.
    while seq < 1_000_000 {
        let records: Vec<Record> = if rng.u8(..10) < 3 {
            vec![record(run, seq)]
        } else {
            (seq..seq + rng.u32(2..=80))
                .map(|s| record(run, s))
                .collect()
        };
        let written = if records.len() == 1 {
            records[0].save(&db).await
        } else {
            Record::put_batch(&db, &records).await
        };
        written.expect("the write succeeds");
        for r in &records {
            writeln!(out, "ack {} {}", r.run, r.seq).expect("stdout");
        }
        out.flush().expect("stdout");
        seq += records.len() as u32;
    }
}

/// Kills the child if the parent fails half way.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[derive(Debug, Clone, Copy)]
enum KillAt {
    /// After this many acknowledged records.
    Acks(usize),
    /// This long after the child started.
    FromStart(Duration),
    /// This long after the first acknowledgement.
    FromFirstAck(Duration),
}

/// Runs one child until `kill_at`, kills it, and returns the records it
/// acknowledged (every complete line it printed before it died).
fn run_child(path: &std::path::Path, run: u32, kill_at: KillAt, log: &std::path::Path) -> Vec<u32> {
    let stderr = std::fs::File::create(log).expect("a log file");
    let child = Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", CHILD, "--nocapture", "--test-threads=1"])
        .env(FILE_VAR, path)
        .env(RUN_VAR, run.to_string())
        .env_remove("DYNAMORM_TEST_ENDPOINT")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("the child starts");
    let started = Instant::now();
    let mut child = Killed(child);
    let stdout = child.0.stdout.take().expect("piped stdout");
    let (lines, acks) = mpsc::channel::<u32>();
    let reader = std::thread::spawn(move || {
        let mut stdout = BufReader::new(stdout);
        let mut line = String::new();
        loop {
            line.clear();
            match stdout.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                // A line cut short by the kill was not acknowledged.
                Ok(_) if !line.ends_with('\n') => break,
                Ok(_) => {}
            }
            let Some(rest) = line.trim_end().strip_prefix("ack ") else {
                continue; // the test harness's own lines
            };
            let (line_run, seq) = rest.split_once(' ').expect("ack <run> <seq>");
            assert_eq!(line_run.parse::<u32>().ok(), Some(run), "{line}");
            if lines.send(seq.parse().expect("a sequence number")).is_err() {
                break;
            }
        }
    });
    let mut acked = Vec::new();
    let mut first_ack: Option<Instant> = None;
    let deadline = started + Duration::from_secs(60);
    loop {
        let due = match kill_at {
            KillAt::Acks(n) => acked.len() >= n,
            KillAt::FromStart(delay) => started.elapsed() >= delay,
            KillAt::FromFirstAck(delay) => first_ack.is_some_and(|at| at.elapsed() >= delay),
        };
        if due {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "run {run}: the child did not reach its kill point ({kill_at:?}) in 60 s, \
             {} records acknowledged; its stderr is in {}",
            acked.len(),
            log.display()
        );
        match acks.recv_timeout(Duration::from_millis(1)) {
            Ok(seq) => {
                acked.push(seq);
                first_ack.get_or_insert_with(Instant::now);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = child.0.try_wait();
                panic!(
                    "run {run}: the child stopped on its own ({status:?}) after {} records; \
                     its stderr is in {}",
                    acked.len(),
                    log.display()
                );
            }
        }
    }
    child.0.kill().expect("SIGKILL the child");
    child.0.wait().expect("the child is reaped");
    reader.join().expect("the reader ends");
    // Lines already printed when the kill landed are acknowledged too.
    acked.extend(acks.try_iter());
    acked
}

#[tokio::test]
async fn acknowledged_writes_survive_a_sigkill_of_the_embedded_file_engine() {
    if common::endpoint().is_some() {
        eprintln!("skipped: the kill test is about the embedded file engine");
        return;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("dynamorm-kill-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join("data.db");
    let mut rng = fastrand::Rng::with_seed(0x6b11);
    let mut acknowledged: BTreeMap<String, Record> = BTreeMap::new();
    let mut report = Vec::new();
    let started = Instant::now();
    for run in 0..RUNS {
        let kill_at = match run % 3 {
            // The first kill lands early: while the file is opened or the
            // table created, or in the first writes.
            0 if run == 0 => KillAt::FromStart(Duration::from_millis(rng.u64(50..400))),
            0 => KillAt::FromStart(Duration::from_millis(rng.u64(0..1500))),
            1 => KillAt::Acks(rng.usize(1..400)),
            _ => KillAt::FromFirstAck(Duration::from_millis(rng.u64(0..400))),
        };
        let log = dir.join(format!("child-{run}.log"));
        let acked = run_child(&path, run, kill_at, &log);
        for &seq in &acked {
            let r = record(run, seq);
            acknowledged.insert(r.id.clone(), r);
        }

        // Reopen the file: the table reads, and nothing acknowledged is lost.
        let db = Db::embedded_file(&path).await.expect("the file reopens");
        if acknowledged.is_empty() && !Record::table(&db).exists().await.unwrap() {
            report.push(format!(
                "run {run}: {kill_at:?}, killed before the table existed"
            ));
            continue;
        }
        let stored: BTreeMap<String, Record> = Record::scan(&db)
            .consistent()
            .all()
            .await
            .unwrap_or_else(|e| panic!("run {run}: the table cannot be scanned: {e}"))
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        let lost: Vec<&String> = acknowledged
            .keys()
            .filter(|id| !stored.contains_key(*id))
            .collect();
        assert!(
            lost.is_empty(),
            "run {run} ({kill_at:?}): {} acknowledged records are not in the file \
             after the kill, e.g. {:?}",
            lost.len(),
            &lost[..lost.len().min(10)]
        );
        for (id, want) in &acknowledged {
            assert_eq!(&stored[id], want, "run {run}: {id} is stored differently");
        }
        // Written but not yet acknowledged when the kill landed.
        let this_run = stored.values().filter(|r| r.run == run).count();
        report.push(format!(
            "run {run}: {kill_at:?}, {} acknowledged, {} stored unacknowledged \
             (all runs: {} acknowledged, {} stored)",
            acked.len(),
            this_run - acked.len(),
            acknowledged.len(),
            stored.len()
        ));
        drop(db);
    }
    assert!(
        !acknowledged.is_empty(),
        "no run acknowledged anything: the test checked nothing"
    );
    eprintln!(
        "embedded file engine, {RUNS} SIGKILLs in {:.1?}, nothing acknowledged was lost:\n{}",
        started.elapsed(),
        report.join("\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
