// Certificates with OpenSSL's C API (libcrypto): a self-signed CA, server certificates it
// signs (subjectAltName: DNS names and IP addresses), and the questions asked of a stored
// certificate before it is reused (who signed it, which names it carries, does the key fit,
// when it expires). Keys are EC P-256. Everything goes in and out as PEM text; every OpenSSL
// handle has an RAII owner in x509.cpp, and a failure throws InfraError with OpenSSL's reason.
#pragma once

#include <ctime>
#include <string>
#include <vector>

namespace labctl::util::x509 {

struct KeyAndCert {
    std::string key_pem;   // PKCS#8 private key
    std::string cert_pem;  // X.509 certificate
};

// A CA: CN=COMMON_NAME, basicConstraints critical CA:TRUE pathlen:0, keyUsage critical
// keyCertSign + cRLSign, subject key identifier; valid from an hour ago for DAYS.
KeyAndCert make_ca(const std::string& common_name, int days = 3650);

struct SubjectNames {
    std::vector<std::string> dns;  // host names
    std::vector<std::string> ips;  // IPv4/IPv6 literals
    bool operator==(const SubjectNames&) const = default;
};

// A server certificate signed by CA: CN=COMMON_NAME, the NAMES as subjectAltName,
// basicConstraints CA:FALSE, keyUsage digitalSignature, extendedKeyUsage serverAuth,
// authority key identifier; valid from an hour ago for DAYS. Throws InputError for an
// address that is not an IP literal.
KeyAndCert issue_server_cert(const KeyAndCert& ca, const std::string& common_name,
                             const SubjectNames& names, int days = 825);

// The subjectAltName entries of CERT_PEM, each list sorted.
SubjectNames subject_names(const std::string& cert_pem);
// Whether CERT_PEM's signature verifies with CA_CERT_PEM's public key and its issuer is
// that CA's subject.
bool signed_by(const std::string& cert_pem, const std::string& ca_cert_pem);
// Whether KEY_PEM is the private key of CERT_PEM.
bool key_matches(const std::string& cert_pem, const std::string& key_pem);
// The certificate's notAfter as seconds since the epoch.
std::time_t not_after(const std::string& cert_pem);

}  // namespace labctl::util::x509
