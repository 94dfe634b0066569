//! Drives the identity confirmation API over mutual TLS with HTTP/1.1 keep-alive, as
//! bench/confirm.sh asks: CONNECTIONS connections, each sending POSTs of the request bodies
//! (one JSON a line, taken in turn across all connections) for SECONDS, as fast as answered
//! or paced to RATE calls a second in all (each call's latency counted from when it was due,
//! so a stall is not hidden by the calls it delays). Every connection is made, its TLS
//! handshake done, before the clock starts: the run measures calls on kept-alive connections,
//! not handshakes. Prints one line:
//! `RESULT answered=N seconds=S rate=R p50_ms=… p99_ms=… ok=N bad_request=N other=N`
//! (`ok`: 200, `bad_request`: 400, `other`: anything else or a failed connection).
//!
//! Usage: confirm-load ADDRESS PATH CERT KEY CA BODIES CONNECTIONS SECONDS RATE
//! (RATE 0: full speed; BODIES "-": an empty body).

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Outcome {
    latencies_us: Vec<u64>,
    ok: u64,
    bad_request: u64,
    other: u64,
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, address, path, cert, key, ca, bodies, connections, seconds, rate] = &args[..] else {
        eprintln!("usage: confirm-load ADDRESS PATH CERT KEY CA BODIES CONNECTIONS SECONDS RATE");
        std::process::exit(2);
    };
    let bodies: Arc<Vec<String>> = Arc::new(if bodies == "-" {
        vec![String::new()]
    } else {
        std::fs::read_to_string(bodies)
            .expect("the bodies file")
            .lines()
            .map(str::to_owned)
            .collect()
    });
    let connections: usize = connections.parse().expect("CONNECTIONS");
    let seconds: f64 = seconds.parse().expect("SECONDS");
    let rate: f64 = rate.parse().expect("RATE");
    let mut roots = rustls::RootCertStore::empty();
    for der in CertificateDer::pem_file_iter(ca).expect("CA") {
        roots.add(der.expect("a CA certificate")).expect("a root");
    }
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .expect("CERT")
        .map(|der| der.expect("a certificate"))
        .collect();
    let key = PrivateKeyDer::from_pem_file(key).expect("KEY");
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_root_certificates(roots)
    .with_client_auth_cert(chain, key)
    .expect("the client certificate and key");
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    // The handshakes side by side, as a client's connection pool would make them; a paced
    // run that counted them would start every connection behind its schedule.
    let mut handshakes = Vec::new();
    for _ in 0..connections {
        handshakes.push(tokio::spawn(connect(connector.clone(), address.clone())));
    }
    let mut streams = Vec::new();
    for handshake in handshakes {
        streams.push(handshake.await.expect("a connection's handshake"));
    }
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    // Each connection's share of the rate: one call every `every`.
    let every = (rate > 0.0).then(|| Duration::from_secs_f64(connections as f64 / rate));
    let mut tasks = Vec::new();
    for (index, tls) in streams.into_iter().enumerate() {
        let path = path.clone();
        let (bodies, next) = (bodies.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            // Spread the paced connections' first calls over one interval.
            let offset = every.map_or(Duration::ZERO, |every| {
                every * index as u32 / connections as u32
            });
            run(tls, &path, bodies, next, started + offset, deadline, every).await
        }));
    }
    let mut all = Outcome {
        latencies_us: Vec::new(),
        ok: 0,
        bad_request: 0,
        other: 0,
    };
    for task in tasks {
        let outcome = task.await.expect("a connection's task");
        all.latencies_us.extend(outcome.latencies_us);
        all.ok += outcome.ok;
        all.bad_request += outcome.bad_request;
        all.other += outcome.other;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.latencies_us.sort_unstable();
    let percentile = |p: f64| {
        let n = all.latencies_us.len();
        if n == 0 {
            return 0.0;
        }
        let index = ((n as f64 * p / 100.0).ceil() as usize).clamp(1, n) - 1;
        all.latencies_us[index] as f64 / 1_000.0
    };
    let answered = all.ok + all.bad_request;
    println!(
        "RESULT answered={answered} seconds={elapsed:.2} rate={:.0} p50_ms={:.2} p99_ms={:.2} ok={} bad_request={} other={}",
        answered as f64 / elapsed,
        percentile(50.0),
        percentile(99.0),
        all.ok,
        all.bad_request,
        all.other
    );
}

/// A kept-alive connection to `address`, its TLS handshake done; none if it failed.
async fn connect(connector: tokio_rustls::TlsConnector, address: String) -> Option<Tls> {
    let tcp = tokio::net::TcpStream::connect(address).await.ok()?;
    let _ = tcp.set_nodelay(true);
    connector
        .connect(ServerName::try_from("localhost").expect("name"), tcp)
        .await
        .ok()
}

type Tls = tokio_rustls::client::TlsStream<tokio::net::TcpStream>;

async fn run(
    tls: Option<Tls>,
    path: &str,
    bodies: Arc<Vec<String>>,
    next: Arc<AtomicUsize>,
    first: Instant,
    deadline: Instant,
    every: Option<Duration>,
) -> Outcome {
    let mut outcome = Outcome {
        latencies_us: Vec::new(),
        ok: 0,
        bad_request: 0,
        other: 0,
    };
    let Some(mut tls) = tls else {
        outcome.other += 1;
        return outcome;
    };
    let mut due = first;
    let mut buffer = Vec::with_capacity(4096);
    loop {
        if every.is_some() {
            tokio::time::sleep_until(due.into()).await;
        } else {
            due = Instant::now();
        }
        if due >= deadline {
            return outcome;
        }
        let body = &bodies[next.fetch_add(1, Ordering::Relaxed) % bodies.len()];
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if tls.write_all(request.as_bytes()).await.is_err() {
            outcome.other += 1;
            return outcome;
        }
        match read_response(&mut tls, &mut buffer).await {
            Some(200) => outcome.ok += 1,
            Some(400) => outcome.bad_request += 1,
            Some(_) => outcome.other += 1,
            None => {
                outcome.other += 1;
                return outcome;
            }
        }
        outcome.latencies_us.push(due.elapsed().as_micros() as u64);
        if let Some(every) = every {
            due += every;
        }
    }
}

/// Reads one response (head and `Content-Length` body); its status.
async fn read_response(tls: &mut Tls, buffer: &mut Vec<u8>) -> Option<u16> {
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buffer[..end]).ok()?;
            let status = head.split(' ').nth(1)?.parse().ok()?;
            let length: usize = head
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .unwrap_or(0);
            while buffer.len() < end + 4 + length {
                let mut chunk = [0u8; 4096];
                let read = tls.read(&mut chunk).await.ok()?;
                if read == 0 {
                    return None;
                }
                buffer.extend_from_slice(&chunk[..read]);
            }
            buffer.drain(..end + 4 + length);
            return Some(status);
        }
        let mut chunk = [0u8; 4096];
        let read = tls.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
}
