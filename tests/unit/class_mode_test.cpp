// Class mode (SPEC.md section 5): the derivation of a student's copy (pure), the roster, the
// class record, the gradebook, `provision = false` in the model and in verify's report, and
// `class up` / `class down` against libvirt's real test:///default driver (in-process): the
// copies are created with their own names and subnets, and `class down` removes them and
// nothing else.
#include <gtest/gtest.h>

#include <libvirt/libvirt.h>
#include <stdlib.h>

#include <fstream>
#include <set>
#include <sstream>

#include "commands/class_commands.hpp"
#include "commands/class_record.hpp"
#include "commands/gradebook.hpp"
#include "commands/lab_commands.hpp"
#include "commands/lab_loading.hpp"
#include "commands/up.hpp"
#include "lab_fixtures.hpp"
#include "labfile/class_copy.hpp"
#include "labfile/roster.hpp"
#include "test_support.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "verify/report.hpp"
#include "virt/connection.hpp"
#include "virt/xml_query.hpp"

using namespace labctl;
namespace fs = std::filesystem;

namespace {

// Two networks of different sizes, static and DHCP addresses, an nginx left to the students.
const std::string kCourse = R"([lab]
name = "course"

[class]
pool = "10.200.0.0/16"

[networks.lan]
mode = "host-only"
subnet = "192.168.56.0/24"

[networks.wide]
mode = "nat"
subnet = "172.16.8.0/23"

[nodes.app]
networks = { lan = "192.168.56.11", wide = "dhcp" }

[nodes.web]
networks = { lan = "192.168.56.12", wide = "172.16.9.200" }

[services.api]
type = "app"
on = "app"
port = 8080
run = "python3 -m http.server 8080"

[services.lb]
type = "nginx"
on = "web"
listen = 8090
backend = "api"
provision = false

[[checks]]
name = "api answers"
http = "api"
points = 1

[[checks]]
name = "through the balancer"
http = "lb"
points = 3
)";

std::uint32_t offset_in(const util::Subnet& subnet, util::Ipv4 address) {
    return address.value - subnet.network.value;
}

}  // namespace

TEST(ClassCopy, ProvisionFalseIsReadPerServiceAndDefaultsToTrue) {
    auto lab = test::load_lab(kCourse);
    EXPECT_TRUE(lab.service("api")->provision);
    EXPECT_FALSE(lab.service("lb")->provision);
    ASSERT_TRUE(lab.class_info);
    EXPECT_EQ(lab.class_info->pool.str(), "10.200.0.0/16");
}

TEST(ClassCopy, ThirtyStudentsGetDisjointSubnetsOfTheSameShapeWithOffsetsKept) {
    auto base = test::load_lab(kCourse);
    // A /23 and a /24 need a /22 block: a /16 pool holds 64 copies.
    EXPECT_EQ(labfile::student_block_prefix(base), 22);
    EXPECT_EQ(labfile::class_capacity(base), 64u);
    std::vector<util::Subnet> all;
    std::set<std::string> macs;
    for (std::size_t k = 0; k < 30; ++k) {
        auto id = labfile::default_student_ids(30)[k];
        auto copy = labfile::student_copy(base, id, k);
        EXPECT_EQ(copy.lab.name, "course-" + id);
        EXPECT_EQ(copy.student, id);
        ASSERT_EQ(copy.networks.size(), base.networks.size());
        for (std::size_t n = 0; n < base.networks.size(); ++n) {
            const auto& mine = copy.networks[n];
            EXPECT_EQ(mine.name, base.networks[n].name);
            EXPECT_EQ(mine.mode, base.networks[n].mode);
            EXPECT_EQ(mine.subnet.prefix, base.networks[n].subnet.prefix) << mine.name;
            EXPECT_TRUE(base.class_info->pool.contains(mine.subnet.network));
            EXPECT_TRUE(base.class_info->pool.contains(mine.subnet.broadcast()));
            // Aligned: host bits zero, as Subnet::parse would demand.
            EXPECT_EQ(mine.subnet.network.value & ~mine.subnet.mask(), 0u);
            all.push_back(mine.subnet);
        }
        ASSERT_EQ(copy.nodes.size(), base.nodes.size());
        for (std::size_t i = 0; i < base.nodes.size(); ++i)
            for (std::size_t j = 0; j < base.nodes[i].nics.size(); ++j) {
                const auto& from = base.nodes[i].nics[j];
                const auto& to = copy.nodes[i].nics[j];
                const auto& from_net = base.network(from.network)->subnet;
                const auto& to_net = copy.network(to.network)->subnet;
                EXPECT_TRUE(to_net.contains(to.planned)) << to.planned.str();
                EXPECT_EQ(from.address.has_value(), to.address.has_value());
                // Static and reserved DHCP addresses keep their offset in the subnet.
                EXPECT_EQ(offset_in(from_net, from.planned), offset_in(to_net, to.planned));
                EXPECT_TRUE(macs.insert(to.mac).second) << "MAC reused: " << to.mac;
            }
    }
    for (std::size_t a = 0; a < all.size(); ++a)
        for (std::size_t b = a + 1; b < all.size(); ++b)
            EXPECT_FALSE(all[a].overlaps(all[b])) << all[a].str() << " and " << all[b].str();
    // The first copy's networks, largest first in the block: wide 10.200.0.0/23, lan .2.0/24.
    auto first = labfile::student_copy(base, "s01", 0);
    EXPECT_EQ(first.network("wide")->subnet.str(), "10.200.0.0/23");
    EXPECT_EQ(first.network("lan")->subnet.str(), "10.200.2.0/24");
    EXPECT_EQ(first.node("web")->nic("lan")->planned.str(), "10.200.2.12");
    EXPECT_EQ(first.node("web")->nic("wide")->planned.str(), "10.200.1.200");
    auto second = labfile::student_copy(base, "s02", 1);
    EXPECT_EQ(second.network("wide")->subnet.str(), "10.200.4.0/23");
}

TEST(ClassCopy, StudentIdsAndTheCopysNameFollowTheNameRule) {
    auto base = test::load_lab(kCourse);
    for (const char* bad : {"", "S01", "s 1", "s_1", "-s1", "s1-", "s1/..", "ü"})
        EXPECT_THROW(labfile::student_copy(base, bad, 0), InputError) << bad;
    // course- is 7 characters; a lab name has at most 31.
    EXPECT_NO_THROW(labfile::student_copy(base, std::string(24, 'a'), 0));
    try {
        labfile::student_copy(base, std::string(25, 'a'), 0);
        FAIL() << "a 32-character lab name was accepted";
    } catch (const InputError& error) {
        EXPECT_NE(std::string(error.what()).find("lab-name rule"), std::string::npos)
            << error.what();
    }
    EXPECT_NO_THROW(labfile::student_copy(base, "7", 0));  // course-7 is a lab name
}

TEST(ClassCopy, APoolTooSmallIsAnInputError) {
    auto base = test::load_lab(kCourse);
    EXPECT_THROW(labfile::student_copy(base, "s65", 64), InputError);
    auto small = kCourse;
    small.replace(small.find("10.200.0.0/16"), 13, "10.200.0.0/23");
    auto tiny = test::load_lab(small);
    EXPECT_THROW(labfile::class_capacity(tiny), InputError);
    auto no_class = test::load_lab(test::two_network_lab("plain") +
                                   "[nodes.a]\nnetworks = { hostonly = \"dhcp\" }\n");
    EXPECT_THROW(labfile::student_copy(no_class, "s01", 0), InputError);
}

TEST(ClassCopy, BadClassSectionsAreReportedAtTheirPlace) {
    auto result = labfile::load_lab_text(
        "[lab]\nname = \"c\"\n[class]\npool = \"10.200.0.1/16\"\nseats = 3\n"
        "[networks.n]\nmode = \"nat\"\nsubnet = \"10.0.0.0/24\"\n[nodes.a]\nnetworks = [\"n\"]\n",
        "lab.toml");
    EXPECT_FALSE(result.lab);
    auto text = result.diagnostics.format();
    EXPECT_NE(text.find("lab.toml:4:8: error: bad pool"), std::string::npos) << text;
    EXPECT_NE(text.find("lab.toml:5:1: error: unknown key `seats`"), std::string::npos) << text;
}

TEST(Roster, ReadsTheIdColumnAndRejectsBadOrRepeatedIds) {
    EXPECT_EQ(labfile::parse_roster("name,id\n\"Doe, Jane\",jdoe\r\nBob,bob-2\n\n", "r.csv"),
              (std::vector<std::string>{"jdoe", "bob-2"}));
    EXPECT_THROW(labfile::parse_roster("name\nx\n", "r.csv"), InputError);
    EXPECT_THROW(labfile::parse_roster("id\nAlice\n", "r.csv"), InputError);
    EXPECT_THROW(labfile::parse_roster("id\na\na\n", "r.csv"), InputError);
    EXPECT_THROW(labfile::parse_roster("id\n", "r.csv"), InputError);
    try {
        labfile::parse_roster("id,name\nok,x\n,y\n", "r.csv");
        FAIL();
    } catch (const InputError& error) {
        EXPECT_EQ(std::string(error.what()).rfind("r.csv:3: error:", 0), 0u) << error.what();
    }
    EXPECT_EQ(labfile::default_student_ids(3), (std::vector<std::string>{"s01", "s02", "s03"}));
    EXPECT_EQ(labfile::default_student_ids(100).back(), "s100");
    EXPECT_EQ(labfile::default_student_ids(100).front(), "s001");
}

TEST(ClassRecord, EnrollingKeepsEveryStudentsBlock) {
    auto students = commands::enroll({}, {"a", "b", "c"});
    ASSERT_EQ(students.size(), 3u);
    EXPECT_EQ(students[2].index, 2u);
    // b leaves; d takes the free block, a and c stay where they are.
    students.erase(students.begin() + 1);
    students = commands::enroll(students, {"c", "d"});
    ASSERT_EQ(students.size(), 3u);
    EXPECT_EQ(students[0].id, "a");
    EXPECT_EQ(students[0].index, 0u);
    EXPECT_EQ(students[2].id, "d");
    EXPECT_EQ(students[2].index, 1u);
}

TEST(Gradebook, OneRowPerStudentWithPointsPerCheckAsCsv) {
    commands::Gradebook book;
    book.columns = {{"api answers", 1}, {"through, the balancer", 3}};
    commands::GradeRow done{"s01", "course-s01", "2026-12-04T21:00:00Z", {}, ""};
    done.report.checks = {{{"api answers", true, 0.1, ""}, 1},
                          {{"through, the balancer", false, 0.1, "HTTP 502"}, 3}};
    commands::GradeRow failed{"s02", "course-s02", "2026-12-04T21:00:01Z", {}, "ssh refused"};
    book.rows = {done, failed};
    EXPECT_EQ(book.csv(),
              "id,api answers,\"through, the balancer\",total,possible,when,error\r\n"
              "s01,1,0,1,4,2026-12-04T21:00:00Z,\r\n"
              "s02,0,0,0,4,2026-12-04T21:00:01Z,ssh refused\r\n");
    auto json = book.to_json();
    EXPECT_EQ(json["students"][0]["total"], 1);
    EXPECT_EQ(json["students"][0]["points"]["api answers"], 1);
    EXPECT_EQ(json["students"][1]["error"], "ssh refused");
    std::ostringstream table;
    book.print(table);
    EXPECT_NE(table.str().find("s01         1     0   1/4"), std::string::npos) << table.str();
}

TEST(VerifyReport, AFailedCheckOfAServiceLeftToTheStudentIsExpectedNotRequired) {
    verify::Report report;
    report.checks.push_back({"reach a->b lan", true, 0.01, ""});
    verify::Check left{"http lb-web 10.0.0.2:8090", false, 0.2,
                       "not provisioned (provision = false)"};
    left.required = false;
    report.checks.push_back(left);
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(report.to_json()["checks"][1]["required"], false);
    std::ostringstream out;
    report.print(out, false);
    EXPECT_NE(out.str().find("○ http lb-web"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("1 of 2 checks passed, 1 expected to fail"), std::string::npos)
        << out.str();
    report.checks.push_back({"reach b->a lan", false, 0.01, "icmp FAILED"});
    EXPECT_FALSE(report.ok());
}

// class up / --student / class down on libvirt's test driver (in-process: it keeps its state
// while KEEPER is open).
class ClassOnTestDriver : public ::testing::Test {
  protected:
    void SetUp() override {
        ::setenv("LABCTL_HOME", (root_.path() / "home").c_str(), 1);
        ::unsetenv("LIBVIRT_DEFAULT_URI");
        fs::path image = root_.path() / "home/images/debian-12-lab";
        fs::create_directories(image / "rootfs/etc");
        std::ofstream(image / "rootfs/etc/os-release") << "ID=debian\n";
        std::ofstream(image / "vmlinuz") << "kernel";
        std::ofstream(image / "initrd.img") << "initrd";
        // A qcow2 header is all labctl reads from the base image (its virtual size).
        unsigned char header[32] = {'Q', 'F', 'I', 0xfb, 0, 0, 0, 3};
        header[27] = 2;  // 8 GiB
        std::ofstream(image / "disk.qcow2", std::ios::binary)
            .write(reinterpret_cast<const char*>(header), sizeof header);
        std::ofstream(image / "manifest.json") << "{}";
        global_.file = test::write_lab(root_.path(), kCourse).string();
        global_.connect = "test:///default";
        global_.driver = "qemu";
        global_.verbosity = -1;
        keeper_ = std::make_unique<virt::Connection>("test:///default");
    }
    void TearDown() override {
        keeper_.reset();
        ::unsetenv("LABCTL_HOME");
    }

    // name -> the network's address/prefix, for labctl's own objects.
    std::map<std::string, std::string> networks() const {
        std::map<std::string, std::string> out;
        for (auto& network : keeper_->networks()) {
            std::string name = virt::Connection::name_of(network.get());
            virt::XmlDoc doc(virt::Connection::xml_of(network.get()));
            out[name] = doc.value("/network/ip/@address");
        }
        return out;
    }
    std::set<std::string> domains() const {
        std::set<std::string> out;
        for (auto& domain : keeper_->domains()) out.insert(virt::Connection::name_of(domain.get()));
        return out;
    }

    test::TempDir root_;
    commands::GlobalOptions global_;
    std::unique_ptr<virt::Connection> keeper_;
};

TEST_F(ClassOnTestDriver, ClassUpMakesOneCopyPerStudentAndClassDownRemovesOnlyThem) {
    std::ostringstream out;
    commands::ClassUpOptions up;
    up.students = 3;
    up.jobs = 2;
    ASSERT_EQ(commands::run_class_up(global_, up, out), 0) << out.str();
    for (const char* id : {"s01", "s02", "s03"}) {
        EXPECT_TRUE(domains().count(std::string("course-") + id + "-app")) << id;
        EXPECT_TRUE(domains().count(std::string("course-") + id + "-web")) << id;
    }
    auto nets = networks();
    EXPECT_EQ(nets["course-s01-wide"], "10.200.0.1");
    EXPECT_EQ(nets["course-s01-lan"], "10.200.2.1");
    EXPECT_EQ(nets["course-s03-lan"], "10.200.10.1");
    auto record = commands::load_class_record(root_.path() / "home/labs/course");
    ASSERT_EQ(record.size(), 3u);

    // --student addresses one copy: its lab is the copy, from the record.
    auto copy = commands::load_lab(commands::GlobalOptions{global_.file, "", "", "s02"});
    EXPECT_EQ(copy.lab.name, "course-s02");
    EXPECT_EQ(copy.node("app")->nic("lan")->planned.str(), "10.200.6.11");
    EXPECT_THROW(commands::load_lab(commands::GlobalOptions{global_.file, "", "", "s09"}),
                 InputError);  // not in the class
    EXPECT_THROW(commands::load_lab(commands::GlobalOptions{global_.file, "", "", "S1"}),
                 InputError);

    // The course's own lab, up beside its copies, is not one of them.
    commands::UpHooks hooks;
    std::ostringstream base_out;
    commands::up_lab(global_, commands::UpOptions{}, base_out, hooks);
    EXPECT_TRUE(domains().count("course-app"));

    std::ostringstream down_out;
    ASSERT_EQ(commands::run_class_down(global_, commands::ClassDownOptions{}, down_out), 0)
        << down_out.str();
    for (const auto& name : domains()) EXPECT_EQ(name.find("course-s"), std::string::npos) << name;
    for (const auto& [name, address] : networks())
        EXPECT_EQ(name.find("course-s"), std::string::npos) << name;
    EXPECT_TRUE(domains().count("course-app"));
    EXPECT_TRUE(domains().count("course-web"));
    EXPECT_TRUE(commands::load_class_record(root_.path() / "home/labs/course").empty());
}

TEST_F(ClassOnTestDriver, ClassVerbsRejectStudentAndLabsWithoutClass) {
    std::ostringstream out;
    auto with_student = global_;
    with_student.student = "s01";
    EXPECT_THROW(commands::run_class_up(with_student, commands::ClassUpOptions{3, "", 0}, out),
                 InputError);
    EXPECT_THROW(commands::run_class_up(global_, commands::ClassUpOptions{}, out), InputError);
    EXPECT_THROW(commands::run_class_check(global_, commands::ClassCheckOptions{}, out),
                 InputError);  // no students yet
    EXPECT_THROW(commands::run_class_reset(global_, commands::ClassResetOptions{"s01"}, out),
                 InputError);
    auto plain = global_;
    plain.file = test::write_lab(root_.path(), test::two_network_lab("plain") +
                                                   "[nodes.a]\nnetworks = [\"hostonly\"]\n")
                     .string();
    EXPECT_THROW(commands::run_class_up(plain, commands::ClassUpOptions{3, "", 0}, out),
                 InputError);
    plain.student = "s01";
    EXPECT_THROW(commands::load_lab(plain), InputError);
}
