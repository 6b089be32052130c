// Lab files shared by the unit tests. The course's seed labs put every node on the same two
// networks, a host-only one and a NAT one; the tests' labs start from those and add their
// own nodes and services, so what a test is about stays next to it.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "labfile/loader.hpp"
#include "render/generated_file.hpp"
#include "test_support.hpp"
#include "util/files.hpp"

namespace labctl::test {

// `[lab]` named NAME, with LAB_KEYS (whole lines, e.g. "driver = \"lxc\"\n") under it, then the
// seed labs' networks: hostonly (host-only, 192.168.56.0/24) and nat (NAT, 192.168.123.0/24).
inline std::string two_network_lab(const std::string& name, const std::string& lab_keys = "") {
    return "[lab]\nname = \"" + name + "\"\n" + lab_keys + R"(
[networks.hostonly]
mode = "host-only"
subnet = "192.168.56.0/24"

[networks.nat]
mode = "nat"
subnet = "192.168.123.0/24"
)";
}

// TEXT loaded as "lab.toml". An invalid lab fails the test with its diagnostics (and throws,
// so the test stops there).
inline topo::Lab load_lab(const std::string& text) {
    auto result = labfile::load_lab_text(text, "lab.toml");
    EXPECT_TRUE(result.lab.has_value()) << result.diagnostics.format();
    if (!result.lab) throw std::runtime_error("invalid test lab");
    return std::move(*result.lab);
}

// The diagnostics of TEXT, a lab that must not load (the test fails if it does).
inline std::string load_errors(const std::string& text) {
    auto result = labfile::load_lab_text(text, "lab.toml");
    EXPECT_FALSE(result.lab);
    return result.diagnostics.format();
}

// TEXT written to DIR/lab.toml, for tests that run labctl's commands on a file; its path.
inline std::filesystem::path write_lab(const std::filesystem::path& dir, const std::string& text) {
    auto file = dir / "lab.toml";
    util::write_file_atomic(file, text, 0644);
    return file;
}

// A stand-in for the base image debian-12-lab under HOME (a LABCTL_HOME) for the engine tests on
// libvirt's test driver: a kernel, an initrd, a rootfs with os-release, a manifest (the
// image's identity on a remote host), and a qcow2 header of an 8 GiB disk, which is all
// labctl reads of the disk (its virtual size). Its directory.
inline std::filesystem::path fake_base_image(const std::filesystem::path& home) {
    auto image = home / "images/debian-12-lab";
    std::filesystem::create_directories(image / "rootfs/etc");
    std::ofstream(image / "rootfs/etc/os-release") << "ID=debian\n";
    std::ofstream(image / "vmlinuz") << "kernel";
    std::ofstream(image / "initrd.img") << "initrd";
    std::ofstream(image / "manifest.json") << "{\"name\": \"debian-12-lab\"}\n";
    const unsigned long long size = 8ULL << 30;
    unsigned char header[32] = {'Q', 'F', 'I', 0xfb, 0, 0, 0, 3};
    for (int i = 0; i < 8; ++i) header[31 - i] = static_cast<unsigned char>(size >> (8 * i));
    std::ofstream(image / "disk.qcow2", std::ios::binary)
        .write(reinterpret_cast<const char*>(header), sizeof header);
    return image;
}

// An example lab of the repository (examples/NAME/lab.toml), loaded.
inline topo::Lab example_lab(const std::string& name) {
    return labfile::load_lab_or_throw(
        (test::source_dir() / "examples" / name / "lab.toml").string());
}

// The file rendered for NODE at PATH; throws when there is none.
inline const render::GeneratedFile& find_file(const std::vector<render::GeneratedFile>& files,
                                              const std::string& node, const std::string& path) {
    for (const auto& file : files)
        if (file.node == node && file.path == path) return file;
    throw std::runtime_error("no file " + node + ":" + path);
}

}  // namespace labctl::test
