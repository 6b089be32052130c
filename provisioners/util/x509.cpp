#include "util/x509.hpp"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <memory>

#include "util/error.hpp"

namespace labctl::util::x509 {

namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* handle) const { Free(handle); }
};
template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

void free_bio(BIO* bio) {
    BIO_free(bio);
}
void free_general_names(GENERAL_NAMES* names) {
    GENERAL_NAMES_free(names);
}

using Key = Owned<EVP_PKEY, EVP_PKEY_free>;
using Cert = Owned<X509, X509_free>;
using Bio = Owned<BIO, free_bio>;
using Extension = Owned<X509_EXTENSION, X509_EXTENSION_free>;
using GeneralName = Owned<GENERAL_NAME, GENERAL_NAME_free>;
using GeneralNames = Owned<GENERAL_NAMES, free_general_names>;
using BigNum = Owned<BIGNUM, BN_free>;
using OctetString = Owned<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using Ia5String = Owned<ASN1_IA5STRING, ASN1_IA5STRING_free>;

// OpenSSL's queued reasons for the last failure, oldest first, and the queue emptied.
[[noreturn]] void fail(const std::string& what) {
    std::string reasons;
    while (unsigned long code = ERR_get_error()) {
        char text[256];
        ERR_error_string_n(code, text, sizeof text);
        reasons += (reasons.empty() ? "" : "; ") + std::string(text);
    }
    throw InfraError("x509: " + what + (reasons.empty() ? "" : ": " + reasons));
}

template <typename T>
T* check(T* handle, const std::string& what) {
    if (!handle) fail(what);
    return handle;
}
void check(int ok, const std::string& what) {
    if (ok != 1) fail(what);
}

Key new_key() {
    return Key(check(EVP_EC_gen("P-256"), "generate an EC P-256 key"));
}

Cert read_cert(const std::string& pem) {
    Bio bio(check(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), "BIO_new_mem_buf"));
    return Cert(check(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), "read certificate"));
}

Key read_key(const std::string& pem) {
    Bio bio(check(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), "BIO_new_mem_buf"));
    return Key(
        check(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), "read private key"));
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(size));
}

std::string key_pem(EVP_PKEY* key) {
    Bio bio(check(BIO_new(BIO_s_mem()), "BIO_new"));
    check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
          "write private key");
    return bio_text(bio.get());
}

std::string cert_pem(X509* cert) {
    Bio bio(check(BIO_new(BIO_s_mem()), "BIO_new"));
    check(PEM_write_bio_X509(bio.get(), cert), "write certificate");
    return bio_text(bio.get());
}

// Version 3, a random positive 127-bit serial (RFC 5280: at most 20 octets, unpredictable),
// CN=COMMON_NAME, valid from an hour ago (clock skew between host and guests) for DAYS.
Cert new_cert(const std::string& common_name, EVP_PKEY* public_key, int days) {
    Cert cert(check(X509_new(), "X509_new"));
    check(X509_set_version(cert.get(), X509_VERSION_3), "set version");
    BigNum serial(check(BN_new(), "BN_new"));
    check(BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "random serial");
    check(BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) ? 1 : 0,
          "set serial");
    check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) ? 1 : 0, "set notBefore");
    check(X509_time_adj_ex(X509_getm_notAfter(cert.get()), days, 0, nullptr) ? 1 : 0,
          "set notAfter");
    auto* subject = X509_get_subject_name(cert.get());
    check(X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                     -1, -1, 0),
          "set CN `" + common_name + "`");
    check(X509_set_pubkey(cert.get(), public_key), "set public key");
    return cert;
}

// An extension from OpenSSL's own config syntax; VALUE is constant text here, never a name
// from a lab (those go into subjectAltName as ASN.1 values, see add_subject_names).
void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
    Extension extension(check(X509V3_EXT_conf_nid(nullptr, &context, nid, value),
                              std::string("extension ") + OBJ_nid2sn(nid) + " = " + value));
    check(X509_add_ext(cert, extension.get(), -1), std::string("add ") + OBJ_nid2sn(nid));
}

void push_name(GENERAL_NAMES* names, int type, void* value) {
    GeneralName name(check(GENERAL_NAME_new(), "GENERAL_NAME_new"));
    GENERAL_NAME_set0_value(name.get(), type, value);  // NAME owns VALUE from here on
    if (sk_GENERAL_NAME_push(names, name.get()) <= 0) fail("add a subjectAltName entry");
    name.release();
}

void add_subject_names(X509* cert, const SubjectNames& wanted) {
    GeneralNames names(check(sk_GENERAL_NAME_new_null(), "sk_GENERAL_NAME_new_null"));
    for (const auto& dns : wanted.dns) {
        Ia5String text(check(ASN1_IA5STRING_new(), "ASN1_IA5STRING_new"));
        check(ASN1_STRING_set(text.get(), dns.data(), static_cast<int>(dns.size())),
              "set DNS name");
        push_name(names.get(), GEN_DNS, text.release());
    }
    for (const auto& ip : wanted.ips) {
        OctetString address(a2i_IPADDRESS(ip.c_str()));
        if (!address) {
            ERR_clear_error();
            throw InputError("`" + ip + "` is not an IP address for a certificate");
        }
        push_name(names.get(), GEN_IPADD, address.release());
    }
    check(X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT),
          "add subjectAltName");
}

std::string ip_text(const ASN1_OCTET_STRING* address) {
    char text[INET6_ADDRSTRLEN] = {};
    int length = ASN1_STRING_length(address);
    const unsigned char* bytes = ASN1_STRING_get0_data(address);
    if (length == 4) inet_ntop(AF_INET, bytes, text, sizeof text);
    if (length == 16) inet_ntop(AF_INET6, bytes, text, sizeof text);
    return text;
}

}  // namespace

KeyAndCert make_ca(const std::string& common_name, int days) {
    auto key = new_key();
    auto cert = new_cert(common_name, key.get(), days);
    check(X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())), "set issuer");
    add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) fail("sign the CA certificate");
    return {key_pem(key.get()), cert_pem(cert.get())};
}

KeyAndCert issue_server_cert(const KeyAndCert& ca, const std::string& common_name,
                             const SubjectNames& names, int days) {
    auto ca_cert = read_cert(ca.cert_pem);
    auto ca_key = read_key(ca.key_pem);
    auto key = new_key();
    auto cert = new_cert(common_name, key.get(), days);
    check(X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get())), "set issuer");
    add_extension(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth");
    add_extension(cert.get(), ca_cert.get(), NID_subject_key_identifier, "hash");
    add_extension(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid:always");
    add_subject_names(cert.get(), names);
    if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) <= 0)
        fail("sign the certificate for `" + common_name + "`");
    return {key_pem(key.get()), cert_pem(cert.get())};
}

SubjectNames subject_names(const std::string& cert_pem) {
    auto cert = read_cert(cert_pem);
    SubjectNames out;
    GeneralNames names(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr)));
    if (!names) return out;
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
        if (name->type == GEN_DNS) {
            const auto* text = name->d.dNSName;
            out.dns.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                                 static_cast<std::size_t>(ASN1_STRING_length(text)));
        } else if (name->type == GEN_IPADD) {
            out.ips.push_back(ip_text(name->d.iPAddress));
        }
    }
    std::sort(out.dns.begin(), out.dns.end());
    std::sort(out.ips.begin(), out.ips.end());
    return out;
}

bool signed_by(const std::string& cert_pem, const std::string& ca_cert_pem) {
    auto cert = read_cert(cert_pem);
    auto ca = read_cert(ca_cert_pem);
    bool ok = X509_check_issued(ca.get(), cert.get()) == X509_V_OK &&
              X509_verify(cert.get(), X509_get0_pubkey(ca.get())) == 1;
    ERR_clear_error();
    return ok;
}

bool key_matches(const std::string& cert_pem, const std::string& key_pem) {
    auto cert = read_cert(cert_pem);
    auto key = read_key(key_pem);
    bool ok = X509_check_private_key(cert.get(), key.get()) == 1;
    ERR_clear_error();
    return ok;
}

std::time_t not_after(const std::string& cert_pem) {
    auto cert = read_cert(cert_pem);
    std::tm tm{};
    check(ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &tm), "read notAfter");
    return timegm(&tm);
}

}  // namespace labctl::util::x509
