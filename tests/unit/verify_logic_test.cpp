// Pure logic of verify and kill: failover numbers from request samples, the report, secrets.
#include <gtest/gtest.h>

#include <sstream>

#include "verify/failover.hpp"
#include "verify/report.hpp"

namespace labctl::verify {
namespace {

TEST(Failover, NoFailureMeansZeroSecondsAndSplitsAroundTheFault) {
    std::vector<RequestSample> samples;
    for (int i = 0; i < 10; ++i) samples.push_back({i * 0.1, true, i % 2 ? "a:1" : "b:1", 200});
    for (int i = 10; i < 20; ++i) samples.push_back({i * 0.1, true, "a:1", 200});
    auto report = analyse_failover(samples, 0.95);
    EXPECT_EQ(report.requests, 20);
    EXPECT_EQ(report.failed, 0);
    EXPECT_EQ(report.failover_seconds, 0);
    EXPECT_EQ(report.split_before, (Split{{"a:1", 5}, {"b:1", 5}}));
    EXPECT_EQ(report.split_after, (Split{{"a:1", 10}}));
}

TEST(Failover, TimeToFailOverEndsAtTheLastFailure) {
    std::vector<RequestSample> samples{{0.0, true, "a:1", 200}, {0.5, true, "b:1", 200},
                                       {1.1, false, "", 0},     {1.6, false, "", 502},
                                       {2.0, true, "a:1", 200}, {2.5, true, "a:1", 200}};
    auto report = analyse_failover(samples, 1.0);
    EXPECT_EQ(report.failed, 2);
    EXPECT_EQ(report.failed_during, 2);
    EXPECT_NEAR(report.failover_seconds, 0.6, 1e-9);
    EXPECT_EQ(report.split_after, (Split{{"a:1", 2}}));
    auto json = report.to_json();
    EXPECT_EQ(json["failed"], 2);
    EXPECT_EQ(json["split_before"]["b:1"], 1);
    EXPECT_EQ(json["errors"]["HTTP 502"], 1);
    EXPECT_EQ(json["errors"]["no answer (transport error)"], 1);
}

TEST(Failover, RequestsWhileTheFaultIsBeingInjectedAreNeitherBeforeNorAfter) {
    std::vector<RequestSample> samples{{0.5, true, "a:1", 200},
                                       {1.1, true, "b:1", 200},
                                       {1.2, true, "b:1", 200},
                                       {1.6, true, "a:1", 200}};
    auto report = analyse_failover(samples, 1.0, 1.5);
    EXPECT_EQ(report.split_before, (Split{{"a:1", 1}}));
    EXPECT_EQ(report.split_after, (Split{{"a:1", 1}}));
    EXPECT_EQ(report.failover_seconds, 0);
}

TEST(Report, JsonAndTextShapes) {
    Report report{
        {{"reach a->b lan", true, 0.01, ""}, {"port b:8080", false, 1.0, "connection refused"}}};
    EXPECT_FALSE(report.ok());
    auto json = report.to_json();
    EXPECT_EQ(json["ok"], false);
    EXPECT_EQ(json["checks"][1]["detail"], "connection refused");
    std::ostringstream text;
    report.print(text, false);
    EXPECT_NE(text.str().find("✗ port b:8080"), std::string::npos) << text.str();
    EXPECT_NE(text.str().find("1 of 2 checks passed"), std::string::npos);
}

}  // namespace
}  // namespace labctl::verify

#include <thread>

#include "store/secrets.hpp"
#include "test_support.hpp"

namespace labctl {
namespace {

TEST(Secrets, ConcurrentFirstUseAgreesOnOneValueWrittenPrivately) {
    test::TempDir dir;
    std::vector<std::string> seen(8);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < seen.size(); ++i)
        threads.emplace_back([&, i] { seen[i] = store::ensure_secret(dir.path(), "db"); });
    for (auto& thread : threads) thread.join();
    for (const auto& value : seen) EXPECT_EQ(value, seen[0]);
    EXPECT_EQ(seen[0].size(), 24u);
    EXPECT_EQ(std::filesystem::status(dir.path() / "secrets/db").permissions() &
                  std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    EXPECT_EQ(store::ensure_secret(dir.path(), "db"), seen[0]);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator(dir.path() / "secrets"))
        ++files;
    EXPECT_EQ(files, 1u);  // no temporary left behind
}

}  // namespace
}  // namespace labctl
