// The role runner: dependency tiers, parallel nodes within a tier, one pooled session per
// node, failures stopping later tiers. The roles here are test roles that run a real
// command over a real sshd (both "nodes" are the same loopback sshd).
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <set>

#include "lab_fixtures.hpp"
#include "labfile/loader.hpp"
#include "remote_test_support.hpp"
#include "services/runner.hpp"

using namespace labctl;
using namespace std::chrono_literals;
namespace ts = labctl::test_support;

namespace {

const char* kLab = R"(
[lab]
name = "tiers"
[networks.net]
mode = "host-only"
subnet = "192.168.56.0/24"
[nodes.n1]
networks = { net = "192.168.56.11" }
[nodes.n2]
networks = { net = "192.168.56.12" }
[services.broker]
type = "activemq"
on = "n1"
[services.chat]
type = "app"
on = ["n1", "n2"]
port = 8080
run = "python3 /opt/chat/app.py"
env = { BROKER_HOST = "${broker.address}" }
[services.lb]
type = "nginx"
on = "n1"
listen = 8090
backend = "chat"
)";

// Both "nodes" are the same loopback sshd; the pool opens one session per node name to it.
struct LoopbackNodes {
    static ts::TestSshd& started(ts::TestSshd& sshd) {
        sshd.start();
        return sshd;
    }
    ts::TestSshd sshd;
    ts::TestClient client{started(sshd)};
    remote::SessionPool pool{[this](const std::string& node) {
        auto options = client.options(sshd);
        options.node = node;
        return options;
    }};
};

// Records what ran where, in which order; chat instances wait for each other, which only
// works when both nodes run at the same time.
struct Journal {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::string> events;
    int chat_started = 0;
};

class RecordingRole : public services::Role {
  public:
    explicit RecordingRole(Journal& journal) : journal_(journal) {}
    std::string_view name() const override { return "recording"; }
    services::RoleReport apply(const services::RoleTarget& target) override {
        auto out = target.session.check({"echo", target.service.name + "@" + target.node.name}).out;
        {
            std::unique_lock lock(journal_.mutex);
            journal_.events.push_back(out.substr(0, out.size() - 1));
            if (target.service.name == "chat") {
                ++journal_.chat_started;
                journal_.changed.notify_all();
                if (!journal_.changed.wait_for(lock, 10s,
                                               [&] { return journal_.chat_started == 2; })) {
                    throw InfraError("chat instances did not run in parallel", target.node.name,
                                     "test");
                }
            }
        }
        if (target.service.name == "lb" && fail_lb)
            throw InfraError("lb broke", target.node.name, "reload");
        return {
            target.node.name, target.service.name, {{"apply", services::Outcome::changed, 0, ""}}};
    }
    bool fail_lb = false;

  private:
    Journal& journal_;
};

// Provisioning where every service's role is a RecordingRole writing to JOURNAL.
services::ProvisionOptions record_into(Journal& journal, bool fail_lb = false) {
    services::ProvisionOptions options;
    options.role_for = [&journal, fail_lb](const topo::Service&) {
        auto role = std::make_unique<RecordingRole>(journal);
        role->fail_lb = fail_lb;
        return role;
    };
    return options;
}

}  // namespace

TEST(RoleTiers, BrokersThenAppsThenBalancers) {
    auto lab = test::load_lab(kLab);
    auto tiers = services::service_tiers(lab);
    ASSERT_EQ(tiers.size(), 3u);
    EXPECT_EQ(tiers[0].at(0)->name, "broker");
    EXPECT_EQ(tiers[1].at(0)->name, "chat");
    EXPECT_EQ(tiers[2].at(0)->name, "lb");
}

TEST(RoleRunner, RunsTiersInOrderAndNodesInParallelOnPooledSessions) {
    LoopbackNodes nodes;
    auto lab = test::load_lab(kLab);
    Journal journal;
    auto options = record_into(journal);
    int reported = 0;
    options.on_report = [&](const services::RoleReport&) { ++reported; };
    auto reports = services::provision(lab, {}, nodes.pool, options);
    ASSERT_EQ(reports.size(), 4u);
    EXPECT_EQ(reported, 4);
    ASSERT_EQ(journal.events.size(), 4u);
    EXPECT_EQ(journal.events[0], "broker@n1");
    EXPECT_EQ((std::set<std::string>{journal.events[1], journal.events[2]}),
              (std::set<std::string>{"chat@n1", "chat@n2"}));
    EXPECT_EQ(journal.events[3], "lb@n1");
    EXPECT_EQ(nodes.pool.size(), 2u);  // one connection per node, reused across tiers
}

TEST(RoleRunner, FailureIsRethrownWithNodeAndStep) {
    LoopbackNodes nodes;
    auto lab = test::load_lab(kLab);
    Journal journal;
    auto options = record_into(journal, /*fail_lb=*/true);
    try {
        services::provision(lab, {}, nodes.pool, options);
        FAIL() << "the lb failure was swallowed";
    } catch (const InfraError& error) {
        EXPECT_EQ(error.node(), "n1");
        EXPECT_EQ(error.step(), "reload");
    }
}

TEST(RoleRunner, EveryServiceTypeHasARole) {
    auto lab = test::load_lab(kLab);
    for (const auto& service : lab.services) {
        auto role = services::default_role(service);
        ASSERT_NE(role, nullptr) << service.name;
        EXPECT_EQ(role->name(), service.type_name());
    }
}

TEST(RoleRunner, AServiceLeftToTheStudentIsReportedNotApplied) {
    LoopbackNodes nodes;
    std::string text = kLab;
    text += "provision = false\n";  // on [services.lb], the last table
    auto lab = test::load_lab(text);
    Journal journal;
    // Its role would throw if it ran.
    auto options = record_into(journal, /*fail_lb=*/true);
    std::vector<std::string> left;
    options.on_report = [&](const services::RoleReport& report) {
        if (report.left_for_student) left.push_back(report.service + "@" + report.node);
    };
    auto reports = services::provision(lab, {}, nodes.pool, options);
    ASSERT_EQ(reports.size(), 4u);
    EXPECT_EQ(left, std::vector<std::string>{"lb@n1"});
    EXPECT_TRUE(reports[3].left_for_student);
    EXPECT_TRUE(reports[3].steps.empty());
    EXPECT_EQ(journal.events.size(), 3u);  // broker and both chats only
}

// One --jobs slot, and the node listed first in the tier waits for the other (as a swarm
// worker waits for its leader's join token): the node the others wait for takes the slot first.
TEST(RoleRunner, TheNodeOthersWaitForStartsFirstWhenSlotsAreFew) {
    LoopbackNodes nodes;
    auto lab = test::load_lab(R"(
[lab]
name = "leader"
[networks.net]
mode = "host-only"
subnet = "192.168.56.0/24"
[nodes.n1]
networks = { net = "192.168.56.11" }
[nodes.n2]
networks = { net = "192.168.56.12" }
[services.web]
type = "app"
on = "n1"
port = 8080
run = "python3 /opt/web/app.py"
[services.db]
type = "mysql"
primary = "n2"
replicas = ["n1"]
database = "shop"
)");
    Journal journal;
    auto options = record_into(journal);
    options.jobs = 1;
    services::provision(lab, {}, nodes.pool, options);
    ASSERT_FALSE(journal.events.empty());
    EXPECT_EQ(journal.events.front(), "db@n2");
}
