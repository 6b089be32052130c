// The lab CA and the certificates it issues, made with OpenSSL's C API and checked both by
// util/x509's own questions and by the openssl command line (a second opinion that shares no
// code with labctl's).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <set>
#include <thread>

#include "store/lab_ca.hpp"
#include "test_support.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/x509.hpp"

namespace labctl {
namespace {

namespace x509 = util::x509;

std::string openssl_text(const std::filesystem::path& cert) {
    auto result = util::run_process({"openssl", "x509", "-noout", "-text", "-in", cert.string()});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out;
}

unsigned mode_of(const std::filesystem::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_mode & 07777;
}

TEST(X509, CaIsACaAndSignsAServerCertificateOpensslAccepts) {
    test::TempDir dir;
    auto ca = x509::make_ca("labctl lab demo CA");
    auto server = x509::issue_server_cert(ca, "lb", {{"lb"}, {"192.168.56.11", "10.0.0.5"}});
    util::write_file_atomic(dir.path() / "ca.crt", ca.cert_pem);
    util::write_file_atomic(dir.path() / "server.crt", server.cert_pem);

    auto ca_text = openssl_text(dir.path() / "ca.crt");
    EXPECT_NE(ca_text.find("CA:TRUE"), std::string::npos) << ca_text;
    EXPECT_NE(ca_text.find("Certificate Sign"), std::string::npos) << ca_text;
    auto server_text = openssl_text(dir.path() / "server.crt");
    EXPECT_NE(server_text.find("DNS:lb"), std::string::npos) << server_text;
    EXPECT_NE(server_text.find("IP Address:192.168.56.11"), std::string::npos) << server_text;
    EXPECT_NE(server_text.find("TLS Web Server Authentication"), std::string::npos);

    auto verified =
        util::run_process({"openssl", "verify", "-CAfile", (dir.path() / "ca.crt").string(),
                           "-verify_ip", "192.168.56.11", (dir.path() / "server.crt").string()});
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
    auto wrong_ip =
        util::run_process({"openssl", "verify", "-CAfile", (dir.path() / "ca.crt").string(),
                           "-verify_ip", "10.9.9.9", (dir.path() / "server.crt").string()});
    EXPECT_NE(wrong_ip.exit_code, 0) << "a certificate must not name an address it was not given";

    auto names = x509::subject_names(server.cert_pem);
    EXPECT_EQ(names.dns, std::vector<std::string>{"lb"});
    EXPECT_EQ(names.ips, (std::vector<std::string>{"10.0.0.5", "192.168.56.11"}));
    EXPECT_TRUE(x509::signed_by(server.cert_pem, ca.cert_pem));
    EXPECT_TRUE(x509::key_matches(server.cert_pem, server.key_pem));
    EXPECT_FALSE(x509::key_matches(server.cert_pem, ca.key_pem));
    EXPECT_GT(x509::not_after(server.cert_pem), std::time(nullptr) + 700L * 24 * 3600);
}

TEST(X509, ACertificateFromAnotherCaIsNotSignedByThisOne) {
    auto ca = x509::make_ca("one");
    auto other = x509::make_ca("two");
    auto server = x509::issue_server_cert(other, "lb", {{"lb"}, {"10.0.0.5"}});
    EXPECT_FALSE(x509::signed_by(server.cert_pem, ca.cert_pem));
    EXPECT_TRUE(x509::signed_by(server.cert_pem, other.cert_pem));
}

TEST(X509, AnAddressThatIsNoIpIsAnInputError) {
    auto ca = x509::make_ca("one");
    EXPECT_THROW(x509::issue_server_cert(ca, "lb", {{"lb"}, {"10.0.0.300"}}), InputError);
    EXPECT_THROW(x509::signed_by("not a certificate", ca.cert_pem), InfraError);
}

TEST(LabCa, MadeOnceKeyPrivateAndTheSameForParallelCallers) {
    test::TempDir dir;
    auto state = dir.path() / "state";
    std::vector<std::string> seen(8);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < seen.size(); ++i)
        threads.emplace_back([&, i] { seen[i] = store::ensure_lab_ca(state, "demo").cert_pem; });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 1u);
    EXPECT_EQ(util::read_file(store::lab_ca_cert_path(state)), seen[0]);
    EXPECT_EQ(mode_of(state / "ca" / "ca.key"), 0600u);
    EXPECT_EQ(mode_of(state / "ca"), 0700u);
    // Nothing left over from the callers that lost the race.
    std::size_t entries = 0;
    for (const auto& entry : std::filesystem::directory_iterator(state)) {
        (void)entry;
        ++entries;
    }
    EXPECT_EQ(entries, 1u);
    EXPECT_EQ(store::ensure_lab_ca(state, "demo").cert_pem, seen[0]);
}

TEST(LabCa, ServerCertificateIsReusedUntilItsNamesChange) {
    test::TempDir dir;
    auto state = dir.path() / "state";
    x509::SubjectNames names{{"lb"}, {"192.168.56.11"}};
    auto first = store::ensure_server_cert(state, "demo", "web.lb", "lb", names);
    EXPECT_EQ(mode_of(state / "ca" / "issued" / "web.lb.key"), 0600u);
    auto again = store::ensure_server_cert(state, "demo", "web.lb", "lb", names);
    EXPECT_EQ(again.cert_pem, first.cert_pem);
    EXPECT_EQ(again.key_pem, first.key_pem);

    names.ips.push_back("10.0.0.5");
    auto renamed = store::ensure_server_cert(state, "demo", "web.lb", "lb", names);
    EXPECT_NE(renamed.cert_pem, first.cert_pem);
    EXPECT_EQ(x509::subject_names(renamed.cert_pem).ips,
              (std::vector<std::string>{"10.0.0.5", "192.168.56.11"}));
    EXPECT_TRUE(x509::signed_by(renamed.cert_pem, store::read_lab_ca(state)->cert_pem));
    EXPECT_THROW(store::ensure_server_cert(state, "demo", "../x", "lb", names), InputError);
}

TEST(LabCa, ANewCaReissuesTheServerCertificates) {
    test::TempDir dir;
    auto state = dir.path() / "state";
    x509::SubjectNames names{{"lb"}, {"192.168.56.11"}};
    auto first = store::ensure_server_cert(state, "demo", "web.lb", "lb", names);
    // A new CA under the same issued certificates: the stored one no longer chains to it.
    std::filesystem::rename(state / "ca" / "issued", dir.path() / "issued");
    std::filesystem::remove_all(state / "ca");
    store::ensure_lab_ca(state, "demo");
    std::filesystem::rename(dir.path() / "issued", state / "ca" / "issued");
    auto second = store::ensure_server_cert(state, "demo", "web.lb", "lb", names);
    EXPECT_NE(second.cert_pem, first.cert_pem);
    EXPECT_TRUE(x509::signed_by(second.cert_pem, store::read_lab_ca(state)->cert_pem));
}

}  // namespace
}  // namespace labctl
