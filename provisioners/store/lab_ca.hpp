// The lab's own certificate authority, for services with `tls = true`: made once per lab with
// util/x509, kept in the lab's state directory and nowhere else (STATE/ca/ca.key 0600 never
// leaves the host), and the server certificates it issued (STATE/ca/issued/ID.{key,crt}),
// reused while they still fit so a second `up` changes nothing on the nodes.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "util/x509.hpp"

namespace labctl::store {

namespace x509 = util::x509;

// STATE_DIR/ca/ca.crt: what `labctl ca` prints and what verify trusts.
std::filesystem::path lab_ca_cert_path(const std::filesystem::path& state_dir);

// The lab's CA, created on first use. Nodes are provisioned in parallel and may all ask at
// once: each candidate is written whole into a private directory that is renamed to
// STATE_DIR/ca; the first rename wins and everyone reads what it wrote.
x509::KeyAndCert ensure_lab_ca(const std::filesystem::path& state_dir, const std::string& lab_name);

// The lab's CA when it exists.
std::optional<x509::KeyAndCert> read_lab_ca(const std::filesystem::path& state_dir);

// A server certificate named ID (a file name: letters, digits, `-`, `_`, `.`) with NAMES,
// from the lab's CA: the stored one while it is signed by that CA, carries exactly NAMES,
// fits its key and is valid for 30 more days; otherwise a new one, stored 0600.
x509::KeyAndCert ensure_server_cert(const std::filesystem::path& state_dir,
                                    const std::string& lab_name, const std::string& id,
                                    const std::string& common_name, x509::SubjectNames names);

}  // namespace labctl::store
