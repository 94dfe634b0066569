//! Turns what a card helper, a form or a file hands over (DER, PEM, or the bare Base64 of a
//! Windows "Base-64 encoded X.509 (.CER)" export) into the DER of one certificate.

use super::CertificateError;
use base64::Engine;
use x509_parser::pem::Pem;

/// Larger inputs are refused before any parsing: real certificates are a few kilobytes.
const MAX_INPUT: usize = 64 * 1024;

/// The DER of the first certificate in `input`. Text around a PEM block is allowed (as
/// `openssl x509 -text` writes it); anything else that is not a certificate is `Malformed`.
pub fn certificate_der(input: &[u8]) -> Result<Vec<u8>, CertificateError> {
    if input.is_empty() || input.len() > MAX_INPUT {
        return Err(CertificateError::Malformed);
    }
    // A DER certificate is a SEQUENCE: tag 0x30.
    if input[0] == 0x30 {
        return Ok(input.to_vec());
    }
    if contains(input, b"-----BEGIN ") {
        return from_pem(input);
    }
    from_bare_base64(input)
}

/// A certificate as Base64 PEM, as it is stored and shown (64 characters a line).
pub fn certificate_pem(der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|chunk| std::str::from_utf8(chunk).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

fn from_pem(input: &[u8]) -> Result<Vec<u8>, CertificateError> {
    for block in Pem::iter_from_buffer(input) {
        let block = block.map_err(|_| CertificateError::Malformed)?;
        if matches!(block.label.as_str(), "CERTIFICATE" | "X509 CERTIFICATE") {
            return Ok(block.contents);
        }
    }
    Err(CertificateError::Malformed)
}

fn from_bare_base64(input: &[u8]) -> Result<Vec<u8>, CertificateError> {
    let compact: Vec<u8> = input
        .iter()
        .copied()
        .filter(|byte| !byte.is_ascii_whitespace())
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| CertificateError::Malformed)?;
    match der.first() {
        Some(0x30) => Ok(der),
        _ => Err(CertificateError::Malformed),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}
