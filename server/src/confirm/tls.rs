//! The confirmation API's own listener: HTTPS with client certificates (mutual TLS, rustls).
//!
//! A system authenticates with its *server* certificate (I-1), which carries the serverAuth
//! extended key usage, not clientAuth: a stock WebPKI client verifier would refuse every one.
//! So the TLS layer asks for a client certificate, and accepts any, only after the client has
//! proved in the handshake that it holds the certificate's private key (the handshake
//! signatures below are verified as usual). What the certificate *is* is decided on every call
//! by the API: it must be, byte for byte, the certificate of a registered system, and check
//! against the trust store (GCA, MOEACA or XCA chain, validity, CRL). A call without one is
//! answered `client_certificate_required`, so the refusal is a clear code in the call log
//! rather than a bare TLS alert.

use super::ClientCertificate;
use anyhow::Context;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme};
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// A TLS handshake that takes longer than this is dropped (slow-loris at the handshake).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// A request's head must arrive within this, and a kept-alive connection that sends none
/// within it is closed (slow-loris after the handshake).
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// At shutdown, how long calls in progress have to be answered before their connections are
/// dropped.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(15);
/// Connections open at once at most; beyond, the listener stops accepting until one ends, so
/// a flood of idle clients holds the API's own sockets and never the portal's.
const MAX_CONNECTIONS: usize = 4_096;

/// The listener's TLS settings: the portal's own certificate chain and key (PEM files), and
/// the client-certificate request described above.
pub fn server_config(certificate_file: &Path, key_file: &Path) -> anyhow::Result<ServerConfig> {
    let chain = CertificateDer::pem_file_iter(certificate_file)
        .with_context(|| format!("reading {}", certificate_file.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("the certificates in {}", certificate_file.display()))?;
    anyhow::ensure!(
        !chain.is_empty(),
        "{} holds no certificate",
        certificate_file.display()
    );
    let key = PrivateKeyDer::from_pem_file(key_file)
        .with_context(|| format!("the private key in {}", key_file.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(Arc::new(ProvenKey { provider }))
        .with_single_cert(chain, key)
        .context("the listener's certificate and key do not match")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Accepts any client certificate whose key the client proves it holds (see the module).
#[derive(Debug)]
struct ProvenKey {
    provider: Arc<CryptoProvider>,
}

impl ClientCertVerifier for ProvenKey {
    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Serves `router` on `listener` over TLS with `config` until `shutdown` completes, then
/// returns once the calls in progress are answered (so that they are in the call log when
/// the server flushes it) and idle connections closed, or after [`DRAIN_TIMEOUT`]. Each
/// request carries the connection's peer ([`ConnectInfo`]) and, when one was presented, its
/// client certificate ([`ClientCertificate`]).
pub async fn serve(
    listener: TcpListener,
    config: ServerConfig,
    router: Router,
    shutdown: impl Future<Output = ()>,
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "accepting a confirmation API connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let router = router.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let _slot = slot;
            let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => tls,
                Ok(Err(error)) => {
                    tracing::debug!(%error, %peer, "TLS handshake failed");
                    return;
                }
                Err(_) => return,
            };
            let certificate = tls
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|chain| chain.first())
                .map(|der| ClientCertificate(Arc::from(der.as_ref())));
            let service =
                hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    if let Some(certificate) = certificate.clone() {
                        request.extensions_mut().insert(certificate);
                    }
                    router.clone().oneshot(request.map(axum::body::Body::new))
                });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(tls), service);
            if let Err(error) = watcher.watch(connection).await {
                tracing::debug!(%error, %peer, "confirmation API connection ended with an error");
            }
        });
    }
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("confirmation API connections still busy at shutdown were dropped");
    }
}
