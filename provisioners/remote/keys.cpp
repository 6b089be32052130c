#include "remote/keys.hpp"

#include <sstream>
#include <vector>

#include "remote/handles.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"

namespace labctl::remote {

namespace fs = std::filesystem;

namespace {

std::string public_line_of_key(ssh_key key) {
    char* raw = nullptr;
    if (ssh_pki_export_pubkey_base64(key, &raw) != SSH_OK)
        throw InfraError("cannot export SSH public key");
    CStringPtr b64(raw);
    const char* type = ssh_key_type_to_char(ssh_key_type(key));
    return std::string(type ? type : "ssh-ed25519") + " " + b64.get();
}

}  // namespace

KeyPair generate_ed25519() {
    ensure_libssh_initialized();
    ssh_key raw = nullptr;
    if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &raw) != SSH_OK)
        throw InfraError("cannot generate an ed25519 key");
    KeyPtr key(raw);
    char* b64 = nullptr;
    // Exported to memory, so the file is written by AtomicFile with mode 0600 from the start.
    if (ssh_pki_export_privkey_base64(key.get(), nullptr, nullptr, nullptr, &b64) != SSH_OK) {
        throw InfraError("cannot export the generated private key");
    }
    // The private text is a plain malloc'd C string owned by us.
    std::string private_text(b64);
    ssh_string_free_char(b64);
    return {private_text, public_line_of_key(key.get())};
}

std::string public_line_of(const std::string& private_openssh) {
    ensure_libssh_initialized();
    ssh_key raw = nullptr;
    if (ssh_pki_import_privkey_base64(private_openssh.c_str(), nullptr, nullptr, nullptr, &raw) !=
        SSH_OK) {
        throw InfraError("cannot read SSH private key");
    }
    KeyPtr key(raw);
    return public_line_of_key(key.get());
}

fs::path ssh_dir(const fs::path& state_dir) {
    return state_dir / "ssh";
}
fs::path lab_key_path(const fs::path& state_dir) {
    return ssh_dir(state_dir) / "id_ed25519";
}
fs::path known_hosts_path(const fs::path& state_dir) {
    return ssh_dir(state_dir) / "known_hosts";
}
fs::path endpoints_path(const fs::path& state_dir) {
    return ssh_dir(state_dir) / "endpoints.json";
}

void write_key_pair(const fs::path& path, const KeyPair& pair) {
    util::make_dirs(path.parent_path(), 0700);
    // Public half first: a crash in between leaves no private key without its public line,
    // and the private key is what ensure_* look for.
    util::write_file_atomic(fs::path(path.string() + ".pub"), pair.public_line + "\n", 0644);
    util::write_file_atomic(path, pair.private_openssh, 0600);
}

KeyPair read_key_pair(const fs::path& path) {
    KeyPair pair;
    pair.private_openssh = util::read_file(path);
    // Derive the public half from the private key: the .pub file is a convenience copy.
    pair.public_line = public_line_of(pair.private_openssh);
    return pair;
}

LabKey ensure_lab_key(const fs::path& state_dir) {
    util::make_dirs(state_dir, 0700);
    auto path = lab_key_path(state_dir);
    if (!fs::exists(path)) write_key_pair(path, generate_ed25519());
    return existing_lab_key(state_dir);
}

LabKey existing_lab_key(const fs::path& state_dir) {
    auto path = lab_key_path(state_dir);
    if (!fs::exists(path)) {
        throw InfraError("the lab has no SSH key yet (" + path.string() +
                         "): run `labctl up` first");
    }
    return {path, read_key_pair(path).public_line};
}

KeyPair ensure_node_host_key(const fs::path& state_dir, const std::string& node) {
    auto path = ssh_dir(state_dir) / "hosts" / node;
    if (!fs::exists(path)) write_key_pair(path, generate_ed25519());
    return read_key_pair(path);
}

std::string known_hosts_host(const std::string& host, int port) {
    if (port == 22) return host;
    return "[" + host + "]:" + std::to_string(port);
}

std::string known_hosts_line(const std::string& host, int port, const std::string& public_line) {
    // Only "type base64": a trailing comment is not part of the pin.
    auto words = util::split(util::trim(public_line), ' ');
    std::vector<std::string> kept;
    for (const auto& word : words) {
        if (!word.empty()) kept.push_back(word);
    }
    if (kept.size() < 2) throw InfraError("bad SSH public key line `" + public_line + "`");
    return known_hosts_host(host, port) + " " + kept[0] + " " + kept[1];
}

void pin_host_key(const fs::path& file, const std::string& host, int port,
                  const std::string& public_line) {
    util::make_dirs(file.parent_path(), 0700);
    std::string field = known_hosts_host(host, port);
    std::ostringstream out;
    if (fs::exists(file)) {
        std::istringstream in(util::read_file(file));
        std::string line;
        while (std::getline(in, line)) {
            auto first = line.substr(0, line.find(' '));
            if (!line.empty() && first != field) out << line << "\n";
        }
    }
    out << known_hosts_line(host, port, public_line) << "\n";
    util::write_file_atomic(file, out.str(), 0600);
}

}  // namespace labctl::remote
