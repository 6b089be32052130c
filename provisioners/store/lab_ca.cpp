#include "store/lab_ca.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/random.hpp"

namespace labctl::store {

namespace fs = std::filesystem;
namespace x509 = util::x509;
using util::make_dirs;
using util::read_file;
using util::write_file_atomic;

namespace {

constexpr std::time_t kRenewBefore = 30 * 24 * 3600;

fs::path ca_dir(const fs::path& state_dir) {
    return state_dir / "ca";
}

bool is_file_id(const std::string& id) {
    if (id.empty() || id.front() == '.') return false;
    for (char c : id)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
            return false;
    return true;
}

std::optional<x509::KeyAndCert> read_pair(const fs::path& key, const fs::path& cert) {
    if (!fs::exists(key) || !fs::exists(cert)) return std::nullopt;
    return x509::KeyAndCert{read_file(key), read_file(cert)};
}

}  // namespace

fs::path lab_ca_cert_path(const fs::path& state_dir) {
    return ca_dir(state_dir) / "ca.crt";
}

std::optional<x509::KeyAndCert> read_lab_ca(const fs::path& state_dir) {
    return read_pair(ca_dir(state_dir) / "ca.key", lab_ca_cert_path(state_dir));
}

x509::KeyAndCert ensure_lab_ca(const fs::path& state_dir, const std::string& lab_name) {
    if (auto existing = read_lab_ca(state_dir)) return *existing;
    if (fs::exists(ca_dir(state_dir)))
        throw InfraError(ca_dir(state_dir).string() +
                         " exists without ca.key and ca.crt; remove it to make a new lab CA");
    make_dirs(state_dir, 0700);
    auto candidate = state_dir / ("ca.new." + util::random_token(8));
    make_dirs(candidate, 0700);
    auto made = x509::make_ca("labctl lab " + lab_name + " CA");
    write_file_atomic(candidate / "ca.key", made.key_pem, 0600);
    write_file_atomic(candidate / "ca.crt", made.cert_pem, 0644);
    // rename(2) of a directory fails with ENOTEMPTY/EEXIST when another caller's CA is already
    // in place: that one wins.
    int renamed = std::rename(candidate.c_str(), ca_dir(state_dir).c_str());
    int error = errno;
    if (renamed != 0) {
        std::error_code ignored;
        fs::remove_all(candidate, ignored);
        if (error != ENOTEMPTY && error != EEXIST)
            throw InfraError("cannot create the lab CA in " + ca_dir(state_dir).string() + ": " +
                             std::strerror(error));
    }
    auto stored = read_lab_ca(state_dir);
    if (!stored) throw InfraError("the lab CA vanished from " + ca_dir(state_dir).string());
    return *stored;
}

x509::KeyAndCert ensure_server_cert(const fs::path& state_dir, const std::string& lab_name,
                                    const std::string& id, const std::string& common_name,
                                    x509::SubjectNames names) {
    if (!is_file_id(id)) throw InputError("certificate id `" + id + "` is not a file name");
    std::sort(names.dns.begin(), names.dns.end());
    std::sort(names.ips.begin(), names.ips.end());
    auto ca = ensure_lab_ca(state_dir, lab_name);
    auto issued = ca_dir(state_dir) / "issued";
    auto key_path = issued / (id + ".key");
    auto cert_path = issued / (id + ".crt");
    if (auto stored = read_pair(key_path, cert_path)) {
        try {
            if (x509::signed_by(stored->cert_pem, ca.cert_pem) &&
                x509::subject_names(stored->cert_pem) == names &&
                x509::key_matches(stored->cert_pem, stored->key_pem) &&
                x509::not_after(stored->cert_pem) > std::time(nullptr) + kRenewBefore)
                return *stored;
        } catch (const InfraError&) {
            // unreadable: issue a new one below
        }
    }
    make_dirs(issued, 0700);
    auto made = x509::issue_server_cert(ca, common_name, names);
    // The key first: a crash between the two leaves a certificate that does not fit it,
    // which the next run replaces.
    write_file_atomic(key_path, made.key_pem, 0600);
    write_file_atomic(cert_path, made.cert_pem, 0644);
    return made;
}

}  // namespace labctl::store
